/**
 * The kinds of organisation the record knows (a text enum, no database constraint), shared by the
 * record tables, the rules engine and the web app's picker. `non_maintained_special` is a
 * non-maintained special school (Education Act 1996 s.342), rated as such by "KCSIE 2025.3" and later.
 */
export const ORGANISATION_TYPES = ['maintained', 'academy', 'free', 'independent', 'non_maintained_special', 'college', 'other'] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];
