import type { Platform } from '../../../platform/platform.js';
import { hashToken, newToken } from '../../../platform/crypto.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { notFound } from '../../../platform/errors.js';
import type { GroupsPort } from '../../signin/index.js';
import { scimBaseUrl } from '../resource/resource.presenters.js';
import { accessRepo } from './access.repo.js';

export const SCIM_TOKEN_PREFIX = 'thr_scim_';

/** A SCIM group of the tenant (of type scim), or undefined. */
export type ScimGroupOf = (tx: DbOrTx, tenantId: string, groupId: string) => ReturnType<GroupsPort['get']>;

/** SCIM tokens: one live per SCIM group, stored hashed; generating one revokes the previous one. */
export function createScimTokens(deps: Pick<Platform, 'db' | 'now' | 'config'>, scimGroup: ScimGroupOf, changed: { channel: string; forget: (groupId: string) => void }) {
  const { db, now, config } = deps;
  return {
    /** A new token for the group; the previous one stops working in the same transaction. */
    async generateToken(tenantId: string, groupId: string, actor: Actor): Promise<{ baseUrl: string; token: string }> {
      const made = await inTransaction(db, async (tx) => {
        const g = await scimGroup(tx, tenantId, groupId);
        if (!g) throw notFound('Group');
        const at = now();
        const revoked = await accessRepo.revokeLiveTokens(tx, tenantId, groupId, at);
        const token = newToken(SCIM_TOKEN_PREFIX);
        const tokenId = await accessRepo.insertToken(tx, {
          tenantId,
          groupId,
          tokenHash: hashToken(token),
          prefix: token.slice(0, SCIM_TOKEN_PREFIX.length + 4),
          createdBy: actor.label,
          createdAt: at,
        });
        await accessRepo.ensureBucket(tx, tenantId, groupId, at);
        await recordAudit(tx, tenantId, actor, {
          action: 'scim.token_generated',
          targetType: 'group',
          targetId: groupId,
          summary: `SCIM token generated for ${g.name}${revoked.length > 0 ? ' (previous token revoked)' : ''}`,
          data: { tokenId, revoked: revoked.map((r) => r.id) },
        });
        // The revoked token may be cached by any instance: each drops the group's on commit.
        await accessRepo.announceChange(tx, changed.channel, g.id);
        return { baseUrl: scimBaseUrl(config.publicUrl, groupId), token, groupId: g.id };
      });
      changed.forget(made.groupId);
      return { baseUrl: made.baseUrl, token: made.token };
    },

    /** The group's base URL, live token, last request and SCIM users (404 unless a SCIM group of the tenant). */
    async status(tenantId: string, groupId: string) {
      const g = await scimGroup(db, tenantId, groupId);
      if (!g) throw notFound('Group');
      const token = await accessRepo.liveToken(db, tenantId, groupId);
      const lastRequestAt = await accessRepo.lastRequestAt(db, tenantId, groupId);
      const users = await accessRepo.activeUsers(db, tenantId, groupId);
      return { groupId, groupName: g.name, baseUrl: scimBaseUrl(config.publicUrl, groupId), token, lastRequestAt, users };
    },
  };
}
