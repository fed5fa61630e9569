/** Shapes of the kiosk's offline copy (GET /api/kiosk/offline) and of its queue. */

export type OfflineMember = {
  id: string;
  name: string;
  role: string;
  qrHash: string;
  /** A tag that changes with the photo (null: none kept); the photo itself is in the `photos` store. */
  photo: string | null;
  onSite: boolean;
  agreementDue: boolean;
  safety: { ok: boolean; reasons: string[]; checkedAt: string; validUntil: string | null };
};

export type OfflineGroup = {
  id: string;
  safetyCheckMode: 'off' | 'reject' | 'notify';
  showOnFireList: boolean;
  offline: { maxSafetyAgeHours: number; whenStale: 'reject' | 'allow_flag'; photos: boolean };
  /** The questions that turn a person away on an answer (message null: "Please see reception"). */
  questions: Array<{ id: string; rejectOn: { answer: string; message: string | null } }>;
  members: OfflineMember[];
  visitorsOnSite: Array<{ visitId: string; name: string; signedInAt: string }>;
};

export type OfflineData = {
  generatedAt: string;
  maxOfflineHours: number;
  groups: OfflineGroup[];
  blockList: { names: string[]; emails: string[] };
};

/** An event recorded offline, as replayed to POST /api/kiosk/replay (plus `label`, kept on the device for the sync log). */
export type OfflineEvent =
  | {
      key: string;
      kind: 'sign_in';
      at: string;
      groupId: string;
      memberId?: string;
      visitor?: { fullName: string; company?: string; hostMemberId?: string };
      answers: Record<string, string | boolean>;
      agreementAccepted: boolean;
      admitted: boolean;
      stale: boolean;
      label: string;
    }
  | { key: string; kind: 'sign_out'; at: string; memberId?: string; visitId?: string; signInKey?: string; label: string };

export type ReplayResult = { key: string | null; status: 'accepted' | 'conflict' | 'refused' | 'duplicate'; code: string | null; reason: string | null; visitId: string | null; recordedAt: string | null };

/** One line of the kiosk's sync log: an event the server refused or resolved as a conflict. */
export type SyncLogEntry = { at: string; key: string; kind: OfflineEvent['kind']; label: string; eventAt: string; status: 'conflict' | 'refused'; code: string | null; reason: string | null };
