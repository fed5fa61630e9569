// One engine, one input, a given number of rounds, nothing else: the program record.bench.ts runs
// under valgrind to count instructions (the machine's load does not move an instruction count).
// Usage: engine-driver <before-facts|with-facts> <profiles> <rounds>
// Builds the input, warms up on the first 500 profiles, then evaluates every profile `rounds`
// times. Running it with 0 rounds and with N rounds and subtracting leaves the rounds alone.
import { ENGINES, engineInput, type EngineKind } from './engine-input.js';

const [kind, profiles, rounds] = process.argv.slice(2);
if (!ENGINES.includes(kind as EngineKind)) throw new Error(`engine-driver: engine must be one of ${ENGINES.join(', ')}`);
const input = engineInput(kind as EngineKind, Number(profiles));
const warm = engineInput(kind as EngineKind, 500);
warm.run(1);
const ready = input.run(Number(rounds));
process.stdout.write(`${JSON.stringify({ kind, profiles: input.profiles, checks: input.checks, rounds: Number(rounds), ready })}\n`);
