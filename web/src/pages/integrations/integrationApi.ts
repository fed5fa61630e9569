/** Shapes of the integration API (see src/contexts/integration). */
import type { Answer } from '../../api/client';

export type RatingMode = 'all' | 'none' | 'selected';
export type GroupLink = Answer<'/api/integration/links'>['items'][number];
export type Settings = { includeRecordInSafetyCheck: boolean };

export type Run = Answer<'/api/integration/runs/{id}'>;

/** A side of a pair in Merge all's "preserve these values": the profile kept, the one merged, or by origin. */
export type BatchSide = 'kept' | 'merged' | 'record' | 'signin';
export type Exclusion = Answer<'/api/integration/exclusions'>['items'][number];

export type SyncLogEntry = Answer<'/api/integration/sync-log'>['items'][number];

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
