/** Lower case, accents removed, punctuation to spaces, spaces collapsed: "  José  O'Brien " → "jose o brien". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
