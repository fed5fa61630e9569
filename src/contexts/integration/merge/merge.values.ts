/** A profile field's value as a merge's snapshot and preview show it: text, an ISO timestamp, or JSON. */
export function stringify(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : JSON.stringify(v);
}
