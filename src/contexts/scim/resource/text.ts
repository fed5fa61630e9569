/**
 * Text PostgreSQL cannot take: a NUL (refused in text and jsonb) or a lone UTF-16 surrogate (not
 * valid Unicode; refused in jsonb). Checked on every SCIM body before anything else, so such a
 * request is a 400 invalidValue naming the attribute, never a 500 from the database.
 */
// eslint-disable-next-line no-control-regex
export const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex
const BAD_TEXT_ALL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const MAX_DEPTH = 64;
const shown = (key: string) => key.replace(BAD_TEXT_ALL, '\ufffd').slice(0, 100);

/**
 * The JSON path of the first string or key holding bad text (`emails[0].value`), with the PATCH
 * operation's own `path` when it is inside one (`Operations[0].value (displayName)`); undefined
 * when the value is clean. Nesting deeper than 64 is reported at the depth it reached.
 */
export function badTextIn(value: unknown): string | undefined {
  const walk = (v: unknown, path: string, depth: number): string | undefined => {
    if (typeof v === 'string') return BAD_TEXT.test(v) ? path : undefined;
    if (typeof v !== 'object' || v === null) return undefined;
    if (depth > MAX_DEPTH) return undefined;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const hit = walk(v[i], `${path}[${i}]`, depth + 1);
        if (hit) return hit;
      }
      return undefined;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const here = path ? `${path}.${shown(k)}` : shown(k);
      if (BAD_TEXT.test(k)) return here;
      const hit = walk(x, here, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  const hit = walk(value, '', 0);
  if (!hit) return undefined;
  const op = /^operations\[(\d+)\]\.value/i.exec(hit);
  if (op && typeof value === 'object' && value !== null) {
    const ops = Object.entries(value as Record<string, unknown>).find(([k]) => k.toLowerCase() === 'operations')?.[1];
    const opPath = Array.isArray(ops) ? (ops[Number(op[1])] as Record<string, unknown> | undefined)?.path : undefined;
    if (typeof opPath === 'string' && !BAD_TEXT.test(opPath)) return `${hit} (${opPath.slice(0, 100)})`;
  }
  return hit;
}
