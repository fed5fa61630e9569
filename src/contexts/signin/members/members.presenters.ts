import type { z } from 'zod';
import type { MemberRow } from './members.port.js';
import type { memberSchema } from './members.schemas.js';

export type MemberView = z.infer<typeof memberSchema>;

/**
 * A member's public shape (the photo as a versioned URL, never the QR token). Typed as the
 * schema's output, so a route may write it with plain `JSON.stringify` (decision 025).
 */
export function presentMember(m: MemberRow): MemberView {
  return {
    id: m.id,
    groupId: m.groupId,
    fullName: m.fullName,
    role: m.role,
    email: m.email,
    phone: m.phone,
    startDate: m.startDate,
    endDate: m.endDate,
    customFields: m.customFields,
    photoUrl: m.photoKey ? `/api/signin/members/${m.id}/photo?v=${m.version}` : null,
    archived: Boolean(m.archivedAt),
    version: m.version,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}
