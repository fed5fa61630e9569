import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Every log line's `err` (a job that failed, a SCIM 500, a lost NOTIFY connection, the error
 * handler) goes through `loggableError`, so no call site can log SQL parameter values.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'threshold', ...base },
    formatters: { log: withoutSecrets, bindings: withoutSecrets },
    serializers: { err: loggableError, req: requestLine },
  };
  const logger = pino(options, destination ?? standardOut());
  // A child's own bindings skip `formatters.bindings` (pino resets it for children): censored as
  // they are given. Children inherit this `child` (each is made from its parent's prototype).
  const child = logger.child;
  const censoredChild: typeof logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, withoutSecrets(bindings), childOptions);
  } as typeof logger.child;
  logger.child = censoredChild;
  return logger;
}

/**
 * A `req` as a line shows it: a request object (Node's or Fastify's) as its method, URL, host and
 * address, never its headers, as Fastify's own serializer shows it on its request loggers (which
 * take Fastify's in place of this one); a plain object as given (`withoutSecrets` has censored it).
 */
export function requestLine(req: unknown): unknown {
  if (req === null || typeof req !== 'object' || isPlainObject(req)) return req;
  const r = req as { method?: unknown; url?: unknown; headers?: Record<string, unknown>; host?: unknown; ip?: unknown; socket?: { remoteAddress?: unknown; remotePort?: unknown } };
  return { method: r.method, url: r.url, version: r.headers?.['accept-version'], host: r.host ?? r.headers?.host, remoteAddress: r.ip ?? r.socket?.remoteAddress, remotePort: r.socket?.remotePort };
}

/** What a line never shows: these keys of any value it logs, and a raw request's credentials. */
const SECRET_KEYS = ['password', 'token', 'secret'] as const;
const CREDENTIAL_HEADERS = ['authorization', 'cookie'] as const;
const CENSOR = '[redacted]';

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * A line's values (and a child logger's bindings) with `password`, `token` and `secret` censored
 * in each plain object value, and `authorization` and `cookie` in a plain `req`'s `headers`:
 * what pino's `redact` paths `*.password`, `*.token`, `*.secret`, `req.headers.authorization`
 * and `req.headers.cookie` did. pino's redaction copied every object value of every line, the
 * request lines' included, ~6 % of a SCIM read's CPU (decision 050); this copies only a value
 * that holds a secret, and never changes the caller's objects. Instances (a Fastify request or
 * reply, an error) are left to their serializers, whose output (`req`: method, URL, host and
 * address; `res`: status; `err`: `loggableError`) holds no headers; an already-loggable plain
 * `err` is a plain object and is censored here.
 */
export function withoutSecrets(obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj;
  for (const key in obj) {
    const value = obj[key];
    if (!isPlainObject(value)) continue;
    let censored: Record<string, unknown> | undefined;
    for (const k of SECRET_KEYS) {
      if (value[k] !== undefined && Object.hasOwn(value, k)) (censored ??= { ...value })[k] = CENSOR;
    }
    const headers = key === 'req' ? value.headers : undefined;
    if (isPlainObject(headers) && CREDENTIAL_HEADERS.some((h) => headers[h] !== undefined)) {
      const safe = { ...headers };
      for (const h of CREDENTIAL_HEADERS) if (safe[h] !== undefined) safe[h] = CENSOR;
      (censored ??= { ...value }).headers = safe;
    }
    if (censored) {
      if (out === obj) out = { ...obj };
      out[key] = censored;
    }
  }
  return out;
}

/**
 * Standard output as pino writes it by default (SonicBoom, asynchronous), with the lines of busy
 * moments gathered into writes of 4 KiB or more instead of a write per line, and whatever is
 * gathered written at least every quarter of a second; pino writes what is left synchronously
 * when the process exits. A crash that kills the process outright (SIGKILL, out of memory) can
 * lose the last quarter of a second of lines (decision 036).
 */
function standardOut(): DestinationStream {
  return logDestination(1);
}

/** Standard output (1) or error (2) written as `standardOut` writes (the bench's server logs to 2 as production logs to 1). */
export function logDestination(fd: 1 | 2): DestinationStream {
  return pino.destination({ dest: fd, sync: false, minLength: 4096, periodicFlush: 250 });
}

/**
 * What of an error goes to the log: never the SQL parameter values (names, emails, tokens) that
 * drizzle puts in its message, nor the row values PostgreSQL puts in `detail`.
 */
export function loggableError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) {
    if (err !== null && typeof err === 'object' && Object.getPrototypeOf(err) === Object.prototype) return err as Record<string, unknown>; // already made loggable
    return { message: String(err).slice(0, 200) };
  }
  const e = err as Error & { query?: unknown; params?: unknown; cause?: unknown; code?: unknown };
  const out: Record<string, unknown> = { type: e.name, message: e.message.replace(/\nparams:[\s\S]*$/, ''), stack: e.stack?.replace(/\nparams:[^\n]*/, '') };
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.query === 'string') out.query = e.query;
  const cause = e.cause as { message?: unknown; code?: unknown; constraint?: unknown; table?: unknown; column?: unknown } | undefined;
  if (cause && typeof cause === 'object') {
    // PostgreSQL's message names the constraint or type, not the values; `detail` carries values and is left out.
    out.cause = { message: typeof cause.message === 'string' ? cause.message : undefined, code: cause.code, constraint: cause.constraint, table: cause.table, column: cause.column };
  }
  return out;
}
