/**
 * The Wonde employee fields the integration's field mapping may read, dotted into the employee as
 * Wonde returns it (`contact_details.data.emails.work`): the server's mapping schema accepts these
 * and the web app's mapping form offers these, so neither can have one the other lacks.
 */
export const WONDE_SOURCE_PATHS = [
  'forename',
  'surname',
  'legal_forename',
  'legal_surname',
  'middle_names',
  'title',
  'upi',
  'mis_id',
  'id',
  'date_of_birth',
  'contact_details.data.emails.email',
  'contact_details.data.emails.primary',
  'contact_details.data.emails.work',
  'contact_details.data.emails.home',
  'contact_details.data.phones.phone',
  'contact_details.data.phones.primary',
  'contact_details.data.phones.mobile',
  'contact_details.data.phones.work',
  'employment_details.data.job_title',
  'employment_details.data.role',
  'employment_details.data.staff_code',
  'employment_details.data.employment_start_date',
  'employment_details.data.employment_end_date',
] as const;
export type WondeSourcePath = (typeof WONDE_SOURCE_PATHS)[number];
