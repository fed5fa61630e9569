/** Shapes of the integration API (see src/contexts/integration). */
import type { Answer } from '../../api/client';

export type RatingMode = 'all' | 'none' | 'selected';
export type GroupLink = Answer<'/api/integration/links'>['items'][number];
export type GroupLinkView = { group: { id: string; name: string; type: string; linkable: boolean; reason: string | null }; link: GroupLink | null };
export type Settings = { includeRecordInSafetyCheck: boolean };

export type Run = Answer<'/api/integration/runs/{id}'>;

export type Brief = { id: string; name: string; email: string; status: string };
export type QueueItem = { id: string; reason: string; detail: string; status: string; a: Brief; b: Brief; createdAt: string };
export type Origin = 'record' | 'signin';
export type BatchSide = 'kept' | 'merged' | Origin;
export type PairSide = { id: string; origin: Origin; fields: Record<string, string | null>; checks: number; updatedAt: string; createdAt: string };
export type Pair = { id: string; reason: string; detail: string; status: string; kept: PairSide; merged: PairSide; defaults: Record<string, 'kept' | 'merged'> };
export type MergePreview = {
  total: number;
  items: Array<{
    queueId: string;
    exception: boolean;
    kept: { id: string; name: string; origin: Origin };
    merged: { id: string; name: string; origin: Origin };
    fields: Array<{ field: string; value: string | null; from: 'kept' | 'merged'; origin: Origin }>;
  }>;
};
export type Merge = {
  id: string;
  keptProfileId: string;
  mergedProfileId: string;
  keptName?: string;
  mergedName?: string;
  choices: Record<string, 'kept' | 'merged'>;
  mergedBy: string;
  mergedAt: string;
  undoneAt: string | null;
  undoneBy: string | null;
};
export type Undo = { mergeId: string; keptProfileId: string; restoredProfileId: string; editsSince: Array<{ profileId: string; field: string; note: string }> };
export type Exclusion = Answer<'/api/integration/exclusions'>['items'][number];

export type SyncLogEntry = Answer<'/api/integration/sync-log'>['items'][number];

export type WondeConnection = {
  organisationId: string;
  enabled: boolean;
  schoolId: string;
  authMode: 'bearer' | 'basic';
  hasToken: boolean;
  mapping: Record<string, unknown>;
  lastSyncedAt: string | null;
  lastRunId: string | null;
  lastError: string | null;
};

export const PROFILE_FIELD_LABELS: Record<string, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  dateOfBirth: 'Date of birth',
  email: 'Email',
  phone: 'Phone',
  role: 'Role',
  startDate: 'Start date',
  leavingDate: 'Leaving date',
  profileTypeId: 'Profile type',
};

export const REASONS: Record<string, string> = {
  same_email: 'Same email',
  same_name_dob: 'Same name and date of birth',
  same_external_id: 'Same external id (e.g. Wonde UPI)',
};

export const KIND_LABELS: Record<Run['kind'], string> = { import: 'Import', merge_all: 'Merge all', push: 'Push', wonde_sync: 'Wonde sync', sync: 'Two-way sync' };
