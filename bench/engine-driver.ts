// One engine, one input, a given number of rounds, nothing else: the program record.bench.ts runs
// under valgrind to count instructions (the machine's load does not move an instruction count).
// Usage: engine-driver <before-facts|with-facts> <profiles> <rounds>
// Builds the input, warms up on it (3 rounds), then evaluates every profile `rounds`
// times. Running it with 0 rounds and with N rounds and subtracting leaves the rounds alone.
import { ENGINES, engineInput, type EngineKind } from './engine-input.js';

const WARM_UP_ROUNDS = 3;

const [kind, profiles, rounds] = process.argv.slice(2);
if (!ENGINES.includes(kind as EngineKind)) throw new Error(`engine-driver: engine must be one of ${ENGINES.join(', ')}`);
const input = engineInput(kind as EngineKind, Number(profiles));
// Warm-up on the same input until the optimising compiler has settled, so the counted rounds are
// steady-state work (compiling is counted in both runs and cancels out).
input.run(WARM_UP_ROUNDS);
const ready = input.run(Number(rounds));
process.stdout.write(`${JSON.stringify({ kind, profiles: input.profiles, checks: input.checks, rounds: Number(rounds), ready })}\n`);
