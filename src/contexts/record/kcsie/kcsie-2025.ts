import type { ConditionGroup } from '../rules/conditions.js';
import type { CheckType, CheckValidity } from '../record.tables.js';

/**
 * The built-in checks of the single central record under "Keeping children safe in education"
 * 2025, as data. Conditions are in the condition language (see rules/conditions.ts) over
 * `profile.type`, `organisation.type` and `check.<key>` of the facts recorded on the profile.
 * A tenant's record is seeded from this set; a new version is a new file, not new ifs.
 */
export type BuiltInCheck = {
  key: string;
  section: string;
  name: string;
  help: string;
  type: CheckType;
  requirement: 'statutory' | 'recommended';
  appliesTo: string[];
  condition?: ConditionGroup;
  validity?: CheckValidity;
  passValue?: boolean;
  referenceLabel?: string;
  allowedWhen?: { condition: ConditionGroup; reason: string };
  pastOnly?: boolean;
  documentRetentionMonths?: number;
  options?: string[];
};

export type BuiltInProfileType = { key: string; name: string };
export type BuiltInRatingSystem = {
  key: string;
  name: string;
  defaultRequire: 'statutory' | 'all';
  mandatory: boolean;
  readyColour: string;
  notReadyColour: string;
};

const eq = (field: string, value: string) => ({ field, operator: 'equals' as const, value });
const and = (...conditions: ConditionGroup['conditions']): ConditionGroup => ({ op: 'and', conditions });
const or = (...conditions: ConditionGroup['conditions']): ConditionGroup => ({ op: 'or', conditions });

const STAFF = ['teaching', 'support'];
const ACADEMY_LIKE = or(eq('organisation.type', 'academy'), eq('organisation.type', 'free'), eq('organisation.type', 'independent'));

/** Regulated activity: staff are in it by their role; others only when recorded so (and volunteers only unsupervised). */
const BARRED_LIST_LAWFUL = or(
  eq('profile.type', 'teaching'),
  eq('profile.type', 'support'),
  and(eq('profile.type', 'volunteer'), eq('check.volunteer_supervised', 'no'), eq('check.regulated_activity', 'yes')),
  and(eq('profile.type', 'governor'), eq('check.regulated_activity', 'yes')),
  and(eq('profile.type', 'contractor'), eq('check.regulated_activity', 'yes')),
);

export const KCSIE_2025 = {
  version: 'KCSIE 2025',
  profileTypes: [
    { key: 'teaching', name: 'Teaching Staff' },
    { key: 'support', name: 'Support Staff' },
    { key: 'agency', name: 'Supply and Agency Staff' },
    { key: 'volunteer', name: 'Volunteers' },
    { key: 'governor', name: 'Governors and Trustees' },
    { key: 'contractor', name: 'Contractors' },
  ] satisfies BuiltInProfileType[],
  ratingSystems: [
    { key: 'inspector_ready', name: 'Inspector ready', defaultRequire: 'statutory', mandatory: true, readyColour: '#2f9e44', notReadyColour: '#e03131' },
    { key: 'school_ready', name: 'School ready', defaultRequire: 'all', mandatory: false, readyColour: '#1c7ed6', notReadyColour: '#f08c00' },
  ] satisfies BuiltInRatingSystem[],
  checks: [
    // The facts that decide which checks apply.
    { key: 'management_post', section: 'Role', name: 'Holds a management post', help: 'Head, deputy, head of department or other management post (decides the section 128 check in academies, free and independent schools).', type: 'yesno', requirement: 'statutory', appliesTo: STAFF, condition: ACADEMY_LIKE },
    { key: 'volunteer_supervised', section: 'Role', name: 'Supervised', help: 'Is the volunteer supervised at all times, regularly and day to day, by someone in regulated activity?', type: 'yesno', requirement: 'statutory', appliesTo: ['volunteer'] },
    { key: 'regulated_activity', section: 'Role', name: 'In regulated activity', help: 'Does the person work in regulated activity with children (teaching, care, supervision; frequently or overnight)? Governance alone is not regulated activity.', type: 'yesno', requirement: 'statutory', appliesTo: ['volunteer', 'governor', 'contractor'] },
    { key: 'risk_assessment', section: 'Role', name: 'Written risk assessment', help: 'For volunteers not in regulated activity: the written risk assessment deciding whether an enhanced DBS check is sought.', type: 'date', requirement: 'statutory', appliesTo: ['volunteer'], condition: or(eq('check.volunteer_supervised', 'yes'), eq('check.regulated_activity', 'no')) },

    { key: 'identity', section: 'Identity', name: 'Identity check', help: 'Date the identity documents were seen.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor'] },
    { key: 'arrival_identity', section: 'Identity', name: 'Identity checked on arrival', help: 'The person arriving is the one the agency or contractor vetted.', type: 'date', requirement: 'statutory', appliesTo: ['agency', 'contractor'] },

    { key: 'enhanced_dbs', section: 'DBS', name: 'Enhanced DBS', help: 'Issue date of the enhanced DBS certificate, with its number.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor', 'contractor'], condition: or(eq('profile.type', 'teaching'), eq('profile.type', 'support'), eq('profile.type', 'governor'), eq('check.regulated_activity', 'yes')), referenceLabel: 'Certificate number', documentRetentionMonths: 6 },
    { key: 'dbs_update_service', section: 'DBS', name: 'DBS update service checked', help: 'Date the DBS update service was checked, for someone registered with it.', type: 'date', requirement: 'recommended', appliesTo: STAFF },
    { key: 'barred_list', section: 'DBS', name: "Children's barred list", help: 'Only lawful for regulated activity.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor', 'contractor'], condition: BARRED_LIST_LAWFUL,
      allowedWhen: { condition: BARRED_LIST_LAWFUL, reason: 'A children\'s barred list check is only allowed for someone in regulated activity: not for a supervised or occasional volunteer, a governor who only governs, or a contractor without regulated activity.' } },

    { key: 'prohibition', section: 'Teaching', name: 'Prohibition from teaching', help: 'Teacher Services check that the person is not prohibited from teaching.', type: 'date', requirement: 'statutory', appliesTo: ['teaching'] },
    { key: 'qualifications', section: 'Teaching', name: 'Professional qualifications', help: 'Qualifications the role needs (e.g. QTS) verified.', type: 'date', requirement: 'statutory', appliesTo: ['teaching'] },
    { key: 'section_128', section: 'Management', name: 'Section 128 check', help: 'Not barred from management: management posts in academies, free and independent schools; governors of maintained schools.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'governor'],
      condition: or(and(ACADEMY_LIKE, eq('check.management_post', 'yes')), and(eq('profile.type', 'governor'), eq('organisation.type', 'maintained'))) },

    { key: 'lived_abroad', section: 'Overseas', name: 'Lived or worked outside the UK', help: 'Has the person lived or worked outside the UK (decides the overseas checks)?', type: 'yesno', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor'] },
    { key: 'overseas_checks', section: 'Overseas', name: 'Overseas checks', help: 'Certificate of good conduct or letter of professional standing.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor'], condition: and(eq('check.lived_abroad', 'yes')) },

    { key: 'right_to_work', section: 'Right to work', name: 'Right to work', help: 'Right to work in the UK checked.', type: 'date', requirement: 'statutory', appliesTo: STAFF },

    { key: 'agency_confirmation', section: 'Agency and supply', name: "Written confirmation of the agency's checks", help: 'The agency confirmed in writing that it made the checks the school would make.', type: 'yesno', requirement: 'statutory', appliesTo: ['agency'], passValue: true },
    { key: 'agency_confirmation_date', section: 'Agency and supply', name: 'Date of the written confirmation', help: '', type: 'date', requirement: 'statutory', appliesTo: ['agency'] },
    { key: 'agency_dbs_provided', section: 'Agency and supply', name: 'DBS certificate provided by the agency', help: 'Whether the agency provided a copy of the enhanced DBS certificate.', type: 'yesno', requirement: 'statutory', appliesTo: ['agency'] },

    { key: 'early_years_childcare', section: 'Childcare', name: 'Works in early years or childcare', help: 'Early years, or before- or after-school childcare for under-8s.', type: 'yesno', requirement: 'recommended', appliesTo: STAFF },
    { key: 'childcare_disqualification', section: 'Childcare', name: 'Childcare disqualification declaration', help: '', type: 'date', requirement: 'recommended', appliesTo: STAFF, condition: and(eq('check.early_years_childcare', 'yes')) },

    { key: 'references', section: 'Recommended', name: 'References', help: 'References received and followed up.', type: 'date', requirement: 'recommended', appliesTo: ['teaching', 'support', 'volunteer'] },
    { key: 'medical_fitness', section: 'Recommended', name: 'Medical fitness', help: '', type: 'date', requirement: 'recommended', appliesTo: STAFF },
    { key: 'safeguarding_training', section: 'Recommended', name: 'Safeguarding training', help: 'Date of the last safeguarding and child protection training.', type: 'date', requirement: 'recommended', appliesTo: ['teaching', 'support', 'volunteer', 'governor'], validity: { n: 1, unit: 'years' } },
  ] satisfies BuiltInCheck[] as BuiltInCheck[],
};

export type BuiltInSet = typeof KCSIE_2025;
