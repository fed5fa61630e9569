import fc from 'fast-check';

/**
 * Shared settings for the property-based fuzz suites: seeded so a failure is reproducible
 * (FUZZ_SEED), shallow by default so `npm test` stays about a minute, deeper with FUZZ_RUNS.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261203);
export const fuzzRuns = (base: number) => Math.max(1, Math.round(base * Number(process.env.FUZZ_RUNS ?? 1)));
export const fuzzParams = (base: number) => ({ seed: FUZZ_SEED, numRuns: fuzzRuns(base), endOnFailure: true });

/** Text that has broken real servers: NUL, lone surrogates, huge, spreadsheet formulas, SQL and path tricks. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfff', '=cmd|calc', "' OR 1=1 --", '../../etc/passwd', '%00', '\\', '{}', '[]', '9'.repeat(400), 'é'.repeat(3000), ' ', ''),
);

export const nastyScalar = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, null, true, false),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2025-01-01', '0000-01-01', '0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '31/02/2024'),
);

export const nastyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, nastyScalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(nastyString, tie('value'), { maxKeys: 4 })),
})).value;

/** An object using the schema's own property names, with nasty values (more likely to reach deep code than random keys). */
export const bodyFor = (keys: string[]): fc.Arbitrary<unknown> =>
  keys.length === 0
    ? nastyJson
    : fc.oneof(
        fc.record(Object.fromEntries(keys.map((k) => [k, nastyJson])), { requiredKeys: [] }),
        fc.record(Object.fromEntries(keys.map((k) => [k, nastyScalar])), { requiredKeys: [] }),
        nastyJson,
      );
