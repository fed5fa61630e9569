// `npm run cli -- <command>`: builds the server into build/ when out of date (a cheap mtime check
// otherwise) and runs the compiled CLI in this same process (decision 010).
//
// A wrong command name (or none) is answered from build/cli/usage.json without loading the CLI's
// modules (every command and context: most of a second of CPU): the file holds the command names
// and the usage text exactly as the CLI printed them, and is written by the first run after a build.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from './build-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifestPath = path.join(root, 'build/cli/usage.json');
const stamp = path.join(root, 'build/.built');

await buildServer({ quiet: true });
const argv = process.argv.slice(2);
const manifest = readManifest() ?? writeManifest();
if (manifest && argv[0] !== '--help' && argv[0] !== 'help') {
  const known = manifest.names.some((name) => name.split(' ').every((w, i) => argv[i] === w));
  if (argv.length === 0 || !known) {
    process.stderr.write(argv.length === 0 ? manifest.noArgs : `Unknown command: ${argv.join(' ')}\n\n${manifest.noArgs}`);
    process.exit(2);
  }
}
await import('../build/cli/main.js');

/** The manifest of this build, or undefined (none yet, or older than the build). */
function readManifest() {
  try {
    if (statSync(manifestPath).mtimeMs < statSync(stamp).mtimeMs) return undefined;
    return JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Asks the built CLI for its command names and its usage text (printed when run without arguments). */
function writeManifest() {
  const main = path.join(root, 'build/cli/main.js');
  const names = spawnSync(process.execPath, ['--input-type=module', '-e', `const { commands } = await import(${JSON.stringify(path.join(root, 'build/cli/commands/index.js'))}); process.stdout.write(JSON.stringify(commands.map((c) => c.name)));`], { cwd: root, encoding: 'utf8' });
  const usage = spawnSync(process.execPath, [main], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  if (names.status !== 0 || usage.status !== 2 || !existsSync(stamp)) return undefined;
  let list;
  try {
    list = JSON.parse(names.stdout);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((n) => typeof n === 'string')) return undefined;
  const manifest = { names: list, noArgs: usage.stderr };
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return manifest;
}
