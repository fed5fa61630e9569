/**
 * The group PIN offline: a verifier made on this device when the PIN was accepted online
 * (PBKDF2-SHA256 with a random salt and a high count, WebCrypto), separate from the server's hash.
 * Five wrong tries lock the group on this device until the server is reachable again.
 */
export type PinVerifier = { salt: string; iterations: number; hash: string };
export const PIN_ITERATIONS = 600_000;
export const PIN_TRIES = 5;

const b64 = (a: Uint8Array) => btoa(String.fromCharCode(...a));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, 256);
  return b64(new Uint8Array(bits));
}

export async function makeVerifier(pin: string, iterations = PIN_ITERATIONS): Promise<PinVerifier> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { salt: b64(salt), iterations, hash: await derive(pin, salt, iterations) };
}

export async function pinMatches(pin: string, v: PinVerifier): Promise<boolean> {
  const h = await derive(pin, unb64(v.salt), v.iterations);
  // Compared in full (no early exit): both are fixed-length base64 strings.
  let diff = h.length ^ v.hash.length;
  for (let i = 0; i < Math.min(h.length, v.hash.length); i++) diff |= h.charCodeAt(i) ^ v.hash.charCodeAt(i);
  return diff === 0;
}

/** After a wrong PIN offline: the tries used so far, and whether the group is now locked. */
export function afterWrongPin(tries: number): { tries: number; locked: boolean } {
  const next = tries + 1;
  return { tries: next, locked: next >= PIN_TRIES };
}
