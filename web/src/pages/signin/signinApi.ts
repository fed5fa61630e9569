/** Shapes of the sign-in API (src/contexts/signin) as the web app uses them. */
export type GroupType = 'standard' | 'repeat' | 'scim';
export type CustomField = { id: string; label: string; type: 'text' | 'yesno' | 'choice'; choices?: string[]; required: boolean; rejectOn?: { answer: string; message: string } };
export type AutoSignOut = { mode: 'never' } | { mode: 'at_time'; time: string } | { mode: 'after_hours'; hours: number };
export type SignInOptions = {
  safetyCheckMode: 'off' | 'reject' | 'notify';
  showOnFireList: boolean;
  autoSignOut: AutoSignOut;
  customFields: CustomField[];
  agreement: { text: string; version?: string } | null;
  printBadge: boolean;
  showReasonsOnKiosk: boolean;
  /** What an offline kiosk does with a last known safety check older than `maxSafetyAgeHours`. */
  offline?: OfflinePolicy;
};
export type OfflinePolicy = { maxSafetyAgeHours: number; whenStale: 'reject' | 'allow_flag'; photos: boolean };
export type Group = { id: string; name: string; type: GroupType; colour: string; isStaffGroup: boolean; options: SignInOptions; hasPin: boolean; contactIds: string[]; siteIds: string[]; archived: boolean; createdAt: string };
export type Site = { id: string; name: string; address: string; timezone: string; archived: boolean; groups: Array<{ id: string; name: string; type: GroupType; colour: string; position: number }>; createdAt: string };
export type Member = { id: string; groupId: string; fullName: string; role: string; email: string | null; phone: string | null; startDate: string | null; endDate: string | null; photoUrl: string | null; archived: boolean; version: number };
export type Reason = { check: string; code: string; reason: string };
export type Visit = {
  id: string;
  siteId: string;
  groupId: string;
  memberId: string | null;
  personName: string;
  visitor: { fullName: string; company?: string } | null;
  signedInAt: string;
  signedOutAt: string | null;
  signedOutBy: 'kiosk' | 'manual' | 'auto' | null;
  outcome: 'signed_in' | 'rejected';
  safetyStatus: 'passed' | 'notified' | 'rejected' | 'skipped';
  reasons: Reason[];
  answers: Record<string, unknown>;
  protected: boolean;
  siteName?: string;
  groupName?: string;
};
export type KioskDevice = { id: string; siteId: string; name: string; prefix: string; lastSeenAt: string | null; revoked: boolean; createdAt: string };
export type ImportPreview = { valid: boolean; total: number; rows: Array<{ row: number; fullName: string; role: string; email: string | null }>; errors: Array<{ row: number; field?: string; reason: string }> };

// ---- the kiosk device ----
export type KioskGroup = { id: string; name: string; type: GroupType; colour: string; hasPin: boolean; customFields: Array<Omit<CustomField, 'rejectOn'>>; agreement: { text: string; version: string } | null; printBadge: boolean };
export type KioskConfig = { site: { id: string; name: string; timezone: string }; groups: KioskGroup[] };
export type KioskMatch = { id: string; name: string; role: string; photoUrl: string | null; onSite: boolean; agreementDue: boolean };
export type Badge = { name: string; groupName: string; groupColour: string; siteName: string; hostName: string | null; company: string | null; date: string; photoUrl: string | null };

export const SAFETY_MODES = [
  { value: 'off', label: "Don't check" },
  { value: 'reject', label: 'Reject the sign-in when a check fails' },
  { value: 'notify', label: 'Allow it, and notify the contacts' },
] as const;
