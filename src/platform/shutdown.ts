import type { Logger } from './logger.js';

/**
 * On SIGINT or SIGTERM (the first one; later ones are ignored): logs `message`, runs `steps` in
 * order and exits 0, or exits 1 when a step fails or all of them take over 15 s. The server and the
 * separate job worker stop this way. Returns whether a stop has begun (work scheduled for later
 * checks it before starting).
 */
export function stopOnSignals(log: Logger, message: string, steps: ReadonlyArray<() => Promise<unknown>>): () => boolean {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, message);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      for (const step of steps) await step();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return () => closing;
}
