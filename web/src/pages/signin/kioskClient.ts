import { ApiError } from '../../api';

/** The kiosk's own credential, kept on the device (it is the device's identity, revocable in the portal). */
const TOKEN_KEY = 'threshold.kiosk.token';

export const kioskToken = {
  get: () => localStorage.getItem(TOKEN_KEY),
  set: (t: string) => localStorage.setItem(TOKEN_KEY, t),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/** JSON calls with the device token; errors become ApiError (422 rejections are answers, not errors). */
export async function kioskCall<T>(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const token = kioskToken.get();
  const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    // No cookies: the device token is the only credential (a portal session in the same browser must not interfere).
    res = await fetch(path, { method, headers, credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network_error', 'No connection. Please try again or see reception.');
  }
  const text = await res.text();
  const json = parseJson(text);
  if (res.ok || res.status === 422) return { status: res.status, body: json as T };
  const e = (json as { error?: { code?: string; message?: string; field?: string; issues?: Array<{ field: string; message: string }> } } | undefined)?.error;
  throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `Error ${res.status}`, { field: e?.field, issues: e?.issues });
}

/** The body as JSON, or undefined when it is not (a proxy's HTML error page, an empty body). */
function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** A photo URL fetched with the device token, as an object URL for <img>. */
export async function kioskPhoto(url: string): Promise<string | null> {
  const token = kioskToken.get();
  const res = await fetch(url, { credentials: 'omit', headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) return null;
  return URL.createObjectURL(await res.blob());
}

/**
 * A kiosk's name when the person pairing it gives none: the browser and system in a few words
 * ("Chrome on Android"), not the raw user agent the kiosk list used to show cut at 80 characters.
 */
export function deviceLabel(userAgent: string): string {
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /(Chrome|Chromium|CriOS)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser';
  const system = /iPad/.test(userAgent)
    ? 'iPad'
    : /iPhone/.test(userAgent)
      ? 'iPhone'
      : /Android/.test(userAgent)
        ? 'Android'
        : /CrOS/.test(userAgent)
          ? 'ChromeOS'
          : /Windows/.test(userAgent)
            ? 'Windows'
            : /Mac OS X|Macintosh/.test(userAgent)
              ? 'Mac'
              : /Linux/.test(userAgent)
                ? 'Linux'
                : 'an unknown system';
  return `${browser} on ${system}`;
}
