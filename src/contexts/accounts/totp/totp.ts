import { Secret, TOTP } from 'otpauth';

const ISSUER = 'Threshold';
/** Codes of the previous and next 30-second step are accepted too (clock drift). */
const WINDOW = 1;

function totpFor(secretBase32: string, label = '') {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: 30 });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export async function enrolment(secretBase32: string, label: string) {
  const otpauthUrl = totpFor(secretBase32, label).toString();
  const { default: QRCode } = await import('qrcode'); // loaded when first used, not at start
  const svg = await QRCode.toString(otpauthUrl, { type: 'svg', margin: 1 });
  return { secret: secretBase32, otpauthUrl, qrSvg: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/** The time step the code belongs to, or null when it is wrong at `at`. */
export function matchingStep(secretBase32: string, code: string, at: Date): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpFor(secretBase32);
  const delta = totp.validate({ token, timestamp: at.getTime(), window: WINDOW });
  if (delta === null) return null;
  return totp.counter({ timestamp: at.getTime() }) + delta;
}

/** The code for `at` (for tests and tools; never sent to clients). */
export function codeAt(secretBase32: string, at: Date): string {
  return totpFor(secretBase32).generate({ timestamp: at.getTime() });
}
