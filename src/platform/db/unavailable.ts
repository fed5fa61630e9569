/**
 * Whether an error means the database cannot be reached or cannot serve right now (as opposed to
 * a statement it refused): the connection was refused, dropped or timed out, the server is
 * shutting down or starting, or it has no connection slot left. The HTTP layer answers these with
 * 503 and `Retry-After` (the kiosk then carries on offline), never with a 500.
 *
 * Looks through `cause` chains: drizzle wraps the driver's error in a DrizzleQueryError.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || SERVER_CODES.has(code))) return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}

/** The socket's errors (Node's), before or during a statement. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/**
 * SQLSTATEs (class 08 is matched whole: connection exceptions): admin or crash shutdown, cannot
 * connect now (starting up, recovering), too many connections, and a hot standby's recovery
 * conflicts are not included (a retry would do, but they are answers to a statement).
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres's and pg-pool's own errors, which carry no code. */
const DRIVER_MESSAGES = ['Connection terminated', 'timeout exceeded when trying to connect', 'Client has encountered a connection error and is not queryable'];

/** What the API and SCIM say with their 503 (`Retry-After: 5`). */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database cannot be reached just now; try again in a few seconds';
