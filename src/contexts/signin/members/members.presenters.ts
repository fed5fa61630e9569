import type { MemberRow } from './members.port.js';

/** A member's public shape (the photo as a versioned URL, never the QR token). */
export function presentMember(m: MemberRow) {
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
