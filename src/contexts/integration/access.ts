import { reachedIds, reachOf } from '../../platform/http/access.js';
import type { Principal } from '../../platform/http/principal.js';

/**
 * The integration joins both kinds of reach (platform/http/access.ts): a link or a member is
 * reached through its group's sites, a profile or an organisation through the organisations.
 * `null`: all of a kind; `[]`: none (a caller scoped to the other kind alone).
 */
export type CallerReach = { sites: readonly string[] | null; organisations: readonly string[] | null };

export function callerReach(p: Principal): CallerReach {
  return { sites: reachedIds(reachOf(p, 'site')), organisations: reachedIds(reachOf(p, 'organisation')) };
}
