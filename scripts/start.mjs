// `npm start`: builds what is out of date (the web app, the server into build/: cheap mtime checks
// when nothing changed) and runs the compiled server, all in this one process (each extra node
// process cost a start-up of its own; decision 010).
import { buildWebIfNeeded } from './build-web-if-needed.mjs';
import { buildServer } from './build-server.mjs';

buildWebIfNeeded();
await buildServer();
await import('../build/main.js');
