/**
 * The SQLSTATE of a database error (`23505`, `22023`…), looked for through its `cause` chain:
 * drizzle wraps the driver's error (node-postgres' or PGlite's, both with `code`) in a
 * DrizzleQueryError. Undefined when no error in the chain carries one.
 */
export function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** A unique index refused the write (SQLSTATE 23505). */
export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === '23505';
