import type { Body } from '../../api/client';

export type OrganisationType = Body<'/api/record/organisations', 'post'>['type'];

/**
 * A label for every organisation type the API accepts: a `Record` over the generated type, so a
 * type added on the server (and `npm run gen:api`) fails the typecheck until it has a label here.
 */
export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  maintained: 'Maintained school',
  academy: 'Academy',
  free: 'Free school',
  independent: 'Independent school',
  non_maintained_special: 'Non-maintained special school',
  college: 'College',
  other: 'Other',
};

/** The picker's options, in the server's order. */
export const ORGANISATION_TYPE_OPTIONS: Array<{ value: OrganisationType; label: string }> = (Object.keys(ORGANISATION_TYPE_LABELS) as OrganisationType[]).map((value) => ({ value, label: ORGANISATION_TYPE_LABELS[value] }));
