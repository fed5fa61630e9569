import type { ConditionGroup } from '../rules/conditions.js';
import type { CheckType, CheckValidity } from '../record.tables.js';

/**
 * The built-in checks of the single central record under "Keeping children safe in education"
 * 2025 as first shipped, as data, with its facts about the post separated from its checks
 * (decision 012: the migration moved them; the rules are otherwise unchanged). Conditions are in
 * the condition language (see rules/conditions.ts) over `profile.type`, `organisation.type` and
 * `fact.<key>`. Superseded by "KCSIE 2025.1" (kcsie-2025-1.ts); kept so a tenant can go back.
 */
export type BuiltInCheck = {
  key: string;
  section: string;
  name: string;
  help: string;
  type: CheckType;
  requirement: 'statutory' | 'recommended' | 'optional';
  appliesTo: string[];
  condition?: ConditionGroup;
  /** A yes/no answer counts only with the date it was done (e.g. the agency's written confirmation). */
  dateRequired?: boolean;
  validity?: CheckValidity;
  passValue?: boolean;
  referenceLabel?: string;
  allowedWhen?: { condition: ConditionGroup; reason: string };
  pastOnly?: boolean;
  documentRetentionMonths?: number;
  options?: string[];
};

/**
 * A fact about the post (yes/no): an input of the conditions as `fact.<key>`, never a check.
 * Not answered, it counts as `safeAnswer` (the answer that asks for more checks). `defaults` are
 * what a new profile of those types (in those organisation types) starts with.
 */
export type BuiltInFact = {
  key: string;
  name: string;
  help: string;
  appliesTo: string[];
  condition?: ConditionGroup;
  safeAnswer: boolean;
  defaults?: Array<{ profileTypes: string[]; organisationTypes?: string[]; value: boolean }>;
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

export const eq = (field: string, value: string) => ({ field, operator: 'equals' as const, value });
export const and = (...conditions: ConditionGroup['conditions']): ConditionGroup => ({ op: 'and', conditions });
export const or = (...conditions: ConditionGroup['conditions']): ConditionGroup => ({ op: 'or', conditions });

const STAFF = ['teaching', 'support'];
const ACADEMY_LIKE = or(eq('organisation.type', 'academy'), eq('organisation.type', 'free'), eq('organisation.type', 'independent'));

/** Regulated activity: staff are in it by their role; others only when recorded so (and volunteers only unsupervised). */
const BARRED_LIST_LAWFUL = or(
  eq('profile.type', 'teaching'),
  eq('profile.type', 'support'),
  and(eq('profile.type', 'volunteer'), eq('fact.volunteer_supervised', 'no'), eq('fact.regulated_activity', 'yes')),
  and(eq('profile.type', 'governor'), eq('fact.regulated_activity', 'yes')),
  and(eq('profile.type', 'contractor'), eq('fact.regulated_activity', 'yes')),
);

export const KCSIE_2025: BuiltInSet = {
  version: 'KCSIE 2025',
  summary: 'The set as first shipped (facts about the post separated from checks).',
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
  facts: [
    { key: 'management_post', name: 'Holds a management post', help: 'Head, deputy, head of department or other management post (decides the section 128 check in academies, free and independent schools).', appliesTo: STAFF, condition: ACADEMY_LIKE, safeAnswer: true },
    { key: 'volunteer_supervised', name: 'Supervised', help: 'Is the volunteer supervised at all times, regularly and day to day, by someone in regulated activity?', appliesTo: ['volunteer'], safeAnswer: false },
    { key: 'regulated_activity', name: 'In regulated activity', help: 'Does the person work in regulated activity with children (teaching, care, supervision; frequently or overnight)? Governance alone is not regulated activity.', appliesTo: ['volunteer', 'governor', 'contractor'], safeAnswer: true },
    { key: 'lived_abroad', name: 'Lived or worked outside the UK', help: 'Has the person lived or worked outside the UK (decides the overseas checks)?', appliesTo: ['teaching', 'support', 'volunteer', 'governor'], safeAnswer: true },
    { key: 'early_years_childcare', name: 'Works in early years or childcare', help: 'Early years, or before- or after-school childcare for under-8s.', appliesTo: STAFF, safeAnswer: true },
  ] satisfies BuiltInFact[] as BuiltInFact[],
  checks: [
    { key: 'risk_assessment', section: 'Role', name: 'Written risk assessment', help: 'For volunteers not in regulated activity: the written risk assessment deciding whether an enhanced DBS check is sought.', type: 'date', requirement: 'statutory', appliesTo: ['volunteer'], condition: or(eq('fact.volunteer_supervised', 'yes'), eq('fact.regulated_activity', 'no')) },

    { key: 'identity', section: 'Identity', name: 'Identity check', help: 'Date the identity documents were seen.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor'] },
    { key: 'arrival_identity', section: 'Identity', name: 'Identity checked on arrival', help: 'The person arriving is the one the agency or contractor vetted.', type: 'date', requirement: 'statutory', appliesTo: ['agency', 'contractor'] },

    { key: 'enhanced_dbs', section: 'DBS', name: 'Enhanced DBS', help: 'Issue date of the enhanced DBS certificate, with its number.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor', 'contractor'], condition: or(eq('profile.type', 'teaching'), eq('profile.type', 'support'), eq('profile.type', 'governor'), eq('fact.regulated_activity', 'yes')), referenceLabel: 'Certificate number', documentRetentionMonths: 6 },
    { key: 'dbs_update_service', section: 'DBS', name: 'DBS update service checked', help: 'Date the DBS update service was checked, for someone registered with it.', type: 'date', requirement: 'recommended', appliesTo: STAFF },
    { key: 'barred_list', section: 'DBS', name: "Children's barred list", help: 'Only lawful for regulated activity.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor', 'contractor'], condition: BARRED_LIST_LAWFUL,
      allowedWhen: { condition: BARRED_LIST_LAWFUL, reason: 'A children\'s barred list check is only allowed for someone in regulated activity: not for a supervised or occasional volunteer, a governor who only governs, or a contractor without regulated activity.' } },

    { key: 'prohibition', section: 'Teaching', name: 'Prohibition from teaching', help: 'Teacher Services check that the person is not prohibited from teaching.', type: 'date', requirement: 'statutory', appliesTo: ['teaching'] },
    { key: 'qualifications', section: 'Teaching', name: 'Professional qualifications', help: 'Qualifications the role needs (e.g. QTS) verified.', type: 'date', requirement: 'statutory', appliesTo: ['teaching'] },
    { key: 'section_128', section: 'Management', name: 'Section 128 check', help: 'Not barred from management: management posts in academies, free and independent schools; governors of maintained schools.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'governor'],
      condition: or(and(ACADEMY_LIKE, eq('fact.management_post', 'yes')), and(eq('profile.type', 'governor'), eq('organisation.type', 'maintained'))) },

    { key: 'overseas_checks', section: 'Overseas', name: 'Overseas checks', help: 'Certificate of good conduct or letter of professional standing.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor'], condition: and(eq('fact.lived_abroad', 'yes')) },

    { key: 'right_to_work', section: 'Right to work', name: 'Right to work', help: 'Right to work in the UK checked.', type: 'date', requirement: 'statutory', appliesTo: STAFF },

    { key: 'agency_confirmation', section: 'Agency and supply', name: "Written confirmation of the agency's checks", help: 'The agency confirmed in writing that it made the checks the school would make.', type: 'yesno', requirement: 'statutory', appliesTo: ['agency'], passValue: true },
    { key: 'agency_confirmation_date', section: 'Agency and supply', name: 'Date of the written confirmation', help: '', type: 'date', requirement: 'statutory', appliesTo: ['agency'] },
    { key: 'agency_dbs_provided', section: 'Agency and supply', name: 'DBS certificate provided by the agency', help: 'Whether the agency provided a copy of the enhanced DBS certificate.', type: 'yesno', requirement: 'statutory', appliesTo: ['agency'] },

    { key: 'childcare_disqualification', section: 'Childcare', name: 'Childcare disqualification declaration', help: '', type: 'date', requirement: 'recommended', appliesTo: STAFF, condition: and(eq('fact.early_years_childcare', 'yes')) },

    { key: 'references', section: 'Recommended', name: 'References', help: 'References received and followed up.', type: 'date', requirement: 'recommended', appliesTo: ['teaching', 'support', 'volunteer'] },
    { key: 'medical_fitness', section: 'Recommended', name: 'Medical fitness', help: '', type: 'date', requirement: 'recommended', appliesTo: STAFF },
    { key: 'safeguarding_training', section: 'Recommended', name: 'Safeguarding training', help: 'Date of the last safeguarding and child protection training.', type: 'date', requirement: 'recommended', appliesTo: ['teaching', 'support', 'volunteer', 'governor'], validity: { n: 1, unit: 'years' } },
  ] satisfies BuiltInCheck[] as BuiltInCheck[],
};

export type BuiltInSet = {
  version: string;
  /** One line for the upgrade screen: what this version changes. */
  summary: string;
  profileTypes: BuiltInProfileType[];
  ratingSystems: BuiltInRatingSystem[];
  facts: BuiltInFact[];
  checks: BuiltInCheck[];
};
