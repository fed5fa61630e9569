/**
 * The key lists of people and places are sorted by, as the database's `name_key` computes it
 * (migration 0023, platform/db/name-order.ts): accents off (NFKD, combining marks U+0300–U+036F
 * removed), the letters NFKD keeps whole written as plain ones, lower case. Compared by code unit
 * (`compareNames`), as the database compares it byte by byte. For the web app's own sorts (the
 * roll call re-sorts the server's list with this phone's ticks over it), so a list reads the same
 * in the portal, the export and a phone offline. `name-order.db.test.ts` checks both agree.
 */
const WHOLE: Record<string, string> = { Ø: 'O', ø: 'o', Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŧ: 'T', ŧ: 't', '’': "'", '‘': "'", Æ: 'AE', æ: 'ae', Œ: 'OE', œ: 'oe', ß: 'ss', ẞ: 'SS', Þ: 'TH', þ: 'th' };
const WHOLE_RE = new RegExp(`[${Object.keys(WHOLE).join('')}]`, 'g');

export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(WHOLE_RE, (c) => WHOLE[c]!)
    .toLowerCase();
}

/** Orders two names as the database's lists do: by key, then by the name itself. */
export function compareNames(a: string, b: string): number {
  const ka = nameKey(a);
  const kb = nameKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
