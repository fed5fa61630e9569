/** Shapes of the central record API (see src/contexts/record). */
import type { components } from '../../api/schema';
export type Level = 'view' | 'edit' | 'administer';
export type Organisation = { id: string; name: string; type: string; retentionYears: number; access: Level };
export type ProfileType = { id: string; key: string; name: string; builtIn: boolean; retired: boolean };
export type Problem = { checkKey: string; state: 'missing' | 'invalid' | 'expired'; message: string };
export type Rating = { systemId: string; key: string; name: string; mandatory: boolean; ready: boolean; colour: string; problems: Problem[] };
export type ProfileSummary = {
  id: string;
  firstName: string;
  lastName: string;
  role: string;
  organisationId: string;
  organisationName: string;
  profileTypeId: string;
  profileType: string;
  startDate: string | null;
  status: 'live' | 'archived';
  version: number;
  /** Every mandatory rating system ready. */
  ready: boolean;
  ratings: Rating[];
  /** The date the ratings are for. */
  asOf: string;
  /** Facts about the post not answered yet (counted as the answer that asks for more checks). */
  factsToConfirm: Array<{ key: string; name: string }>;
};
export type ProfileFact = { key: string; name: string; help: string; value: boolean | null; safeAnswer: boolean };
export type ProfileCheck = {
  id: string;
  key: string;
  name: string;
  section: string;
  type: 'yesno' | 'date' | 'text' | 'choice' | 'document';
  requirement: string;
  options: string[];
  referenceLabel: string | null;
  applies: boolean;
  state: 'ok' | 'missing' | 'invalid' | 'expired' | null;
  message: string | null;
  expiresOn: string | null;
  value: boolean | string | null;
  reference: string | null;
  checkedOn: string | null;
  evidence: string;
  recordedBy: string | null;
  recordedAt: string | null;
};
export type RecordDocument = { id: string; checkKey: string | null; fileName: string; contentType: string; size: number; uploadedAt: string; deleteAfter: string | null; deletedAt: string | null; deletedReason: string | null };
export type Profile = ProfileSummary & {
  profileTypeKey: string;
  dateOfBirth: string | null;
  email: string;
  phone: string;
  leavingDate: string | null;
  archivedAt: string | null;
  updatedAt: string;
  facts: ProfileFact[];
  checks: ProfileCheck[];
  documents: RecordDocument[];
  nextChangeOn: string | null;
};
export type HistoryItem = { version: number; field: string; before: string | null; after: string | null; actor: string; at: string };
export type Tally = { systemId: string; key: string; name: string; readyColour: string; notReadyColour: string; ready: number; notReady: number };
export type Dashboard = {
  organisationId: string | null;
  asOf: string;
  profiles: number;
  ratings: Tally[];
  organisations: Array<{ id: string; name: string; profiles: number; ratings: Tally[] }>;
  notReady: Array<{ id: string; name: string; organisation: string; profileType: string; reasons: Array<{ system: string; messages: string[] }> }>;
  notReadyTotal: number;
  expiring: { within30: number; within60: number; within90: number; items: Array<{ profileId: string; name: string; organisation: string; check: string; expiresOn: string; inDays: number }> };
};
/**
 * A field a condition may name. `pick` fields choose one of `options` by its value (a group by its
 * id, shown by its name) and compare only for equality.
 */
export type FieldInfo =
  | { field: string; label: string; kind: 'text' | 'date' | 'yesno' | 'choice'; options: string[] }
  | { field: string; label: string; kind: 'pick'; options: Array<{ value: string; label: string }> };
/** The condition language, as the API defines it (generated from its schemas). */
export type ConditionGroup = components['schemas']['ConditionGroup'];
export type Condition = Exclude<ConditionGroup['conditions'][number], ConditionGroup>;
export type Operator = Condition['operator'];
export type ImportPreview = { columns: string[]; mapping: Record<string, string | null>; targets: Array<{ target: string; label: string }>; rows: number; sample: string[][]; errors: Array<{ row: number; column: string | null; message: string }>; valid: boolean };

