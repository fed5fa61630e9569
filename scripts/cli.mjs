// `npm run cli -- <command>`: builds the server into build/ when out of date (a cheap mtime check
// otherwise) and runs the compiled CLI in this same process (decision 010).
import { buildServer } from './build-server.mjs';

await buildServer({ quiet: true });
await import('../build/cli/main.js');
