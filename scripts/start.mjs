// `npm start`: builds what is out of date (the web app, the server into build/: cheap mtime checks
// when nothing changed) and runs the compiled server in this process (each extra node process cost
// a start-up of its own; decision 010). A build that is needed runs in a process of its own, so
// the memory it took is not kept beside the server (the server build held ~90 MB; decision 032).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildWebIfNeeded } from './build-web-if-needed.mjs';
import { serverBuildNeeded } from './build-server.mjs';

buildWebIfNeeded();
if (serverBuildNeeded()) execFileSync(process.execPath, [fileURLToPath(new URL('./build-server.mjs', import.meta.url))], { stdio: 'inherit' });
await import('../build/main.js');
