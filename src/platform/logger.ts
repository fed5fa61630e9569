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
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'],
      censor: '[redacted]',
    },
    serializers: { err: loggableError },
  };
  return pino(options, destination ?? standardOut());
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
