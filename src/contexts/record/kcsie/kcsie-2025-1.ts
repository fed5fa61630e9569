import { and, eq, or, type BuiltInSet } from './kcsie-2025.js';

/**
 * "KCSIE 2025.1": the built-in set corrected to follow KCSIE 2025 Part 3 bullet by bullet (the
 * sources of every rule: docs/decisions/012-kcsie-2025-1.md; one table case per rule in
 * rules/tables/kcsie-2025-1.json). Facts about the post are inputs (`fact.<key>`), never checks.
 *
 * Profile types: `teaching` and `support` are directly employed staff; `agency` supply and agency
 * staff; `volunteer`; `governor` every governor, trustee, trust member, local-governing-body
 * member and independent-school proprietor-body member; `contractor`.
 */
const STAFF = ['teaching', 'support'];
const SCHOOLS = or(eq('organisation.type', 'maintained'), eq('organisation.type', 'academy'), eq('organisation.type', 'free'), eq('organisation.type', 'independent'));
/** Academies, free schools and independent schools: the proprietor body is the trust or the proprietor. */
const PROPRIETOR_BODY = or(eq('organisation.type', 'academy'), eq('organisation.type', 'free'), eq('organisation.type', 'independent'));
const STAFF_TYPE = or(eq('profile.type', 'teaching'), eq('profile.type', 'support'));
const RA = eq('fact.regulated_activity', 'yes');

/** Regulated activity: staff, unsupervised volunteers, contractors and governors who are in it. */
const IN_REGULATED_ACTIVITY = or(
  and(STAFF_TYPE, RA),
  and(eq('profile.type', 'volunteer'), eq('fact.volunteer_supervised', 'no'), RA),
  and(eq('profile.type', 'governor'), RA),
  and(eq('profile.type', 'contractor'), RA),
);

export const KCSIE_2025_1: BuiltInSet = {
  version: 'KCSIE 2025.1',
  summary:
    'Corrections to follow KCSIE 2025 Part 3 exactly: facts about the post (teaches, management position, post requires a qualification, regulated activity, supervised, regular contact, lived abroad, relevant childcare); section 128 for every trustee, member and local governor; agency DBS date in independent schools; risk assessment for every volunteer; DBS Update Service optional; colleges record "relevant activity".',
  profileTypes: [
    { key: 'teaching', name: 'Teaching Staff' },
    { key: 'support', name: 'Support Staff' },
    { key: 'agency', name: 'Supply and Agency Staff' },
    { key: 'volunteer', name: 'Volunteers' },
    { key: 'governor', name: 'Governors and Trustees' },
    { key: 'contractor', name: 'Contractors' },
  ],
  ratingSystems: [
    { key: 'inspector_ready', name: 'Inspector ready', defaultRequire: 'statutory', mandatory: true, readyColour: '#2f9e44', notReadyColour: '#e03131' },
    { key: 'school_ready', name: 'School ready', defaultRequire: 'all', mandatory: false, readyColour: '#1c7ed6', notReadyColour: '#f08c00' },
  ],
  facts: [
    { key: 'teaches', name: 'Teaches', help: 'Does teaching work as the Teachers\' Disciplinary (England) Regulations 2012 define it (planning and preparing lessons, delivering them, assessing and reporting), not under the direction and supervision of a qualified teacher?', appliesTo: STAFF, safeAnswer: true, defaults: [{ profileTypes: ['teaching'], value: true }, { profileTypes: ['support'], value: false }] },
    { key: 'management_post', name: 'Management position', help: 'Head, deputy or assistant head, or a business manager with management duties (decides the section 128 check in academies, free and independent schools).', appliesTo: STAFF, condition: PROPRIETOR_BODY, safeAnswer: true },
    { key: 'requires_qualification', name: 'Post requires a professional qualification', help: 'The post needs a qualification by law, e.g. QTS for a teacher in a maintained school (not required by law in academies, free or independent schools).', appliesTo: STAFF, safeAnswer: true, defaults: [{ profileTypes: ['teaching'], organisationTypes: ['maintained'], value: true }, { profileTypes: ['teaching'], organisationTypes: ['academy', 'free', 'independent', 'college', 'other'], value: false }, { profileTypes: ['support'], value: false }] },
    { key: 'regulated_activity', name: 'In regulated activity', help: 'Works in regulated activity with children (teaching, training, care, supervision; frequently, intensively or overnight). Governance alone is not regulated activity.', appliesTo: ['teaching', 'support', 'volunteer', 'governor', 'contractor'], safeAnswer: true, defaults: [{ profileTypes: ['teaching', 'support'], value: true }] },
    { key: 'volunteer_supervised', name: 'Supervised', help: 'Supervised at all times, regularly and day to day, by someone in regulated activity, as the statutory guidance on supervision describes (and so not in regulated activity).', appliesTo: ['volunteer'], safeAnswer: false },
    { key: 'regular_contact', name: 'Opportunity for regular contact with children', help: 'A contractor (or their staff) who has an opportunity for regular contact with children, even when not in regulated activity.', appliesTo: ['contractor'], safeAnswer: true },
    { key: 'lived_abroad', name: 'Lived or worked outside the UK', help: 'Has the person lived or worked outside the UK (decides the overseas checks)?', appliesTo: ['teaching', 'support', 'governor'], condition: or(STAFF_TYPE, PROPRIETOR_BODY), safeAnswer: true },
    { key: 'early_years_childcare', name: 'Works in or manages relevant childcare', help: 'Early years provision, or childcare for under-8s outside school hours, so the Childcare (Disqualification) Regulations 2018 apply.', appliesTo: STAFF, safeAnswer: true },
  ],
  checks: [
    { key: 'identity', section: 'Identity', name: 'Identity check', help: 'Date the identity documents were seen.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'governor'], condition: or(STAFF_TYPE, and(eq('profile.type', 'governor'), PROPRIETOR_BODY)) },
    { key: 'arrival_identity', section: 'Identity', name: 'Identity checked on arrival', help: 'The person arriving is the one the agency or contractor vetted.', type: 'date', requirement: 'statutory', appliesTo: ['agency', 'contractor'] },

    { key: 'enhanced_dbs', section: 'DBS', name: 'Enhanced DBS', help: 'Issue date of the enhanced DBS certificate, with its number (with barred-list information only for regulated activity).', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor', 'contractor'],
      condition: or(STAFF_TYPE, eq('profile.type', 'governor'), and(eq('profile.type', 'volunteer'), eq('fact.volunteer_supervised', 'no'), RA), and(eq('profile.type', 'contractor'), or(RA, eq('fact.regular_contact', 'yes')))),
      referenceLabel: 'Certificate number', documentRetentionMonths: 6 },
    { key: 'dbs_update_service', section: 'DBS', name: 'DBS update service checked', help: 'Information only: KCSIE sets no DBS renewal, so this counts towards no rating.', type: 'date', requirement: 'optional', appliesTo: STAFF },
    { key: 'barred_list', section: 'DBS', name: "Children's barred list", help: 'Only lawful for regulated activity.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'volunteer', 'governor', 'contractor'], condition: IN_REGULATED_ACTIVITY,
      allowedWhen: { condition: IN_REGULATED_ACTIVITY, reason: "A children's barred list check is only allowed for someone in regulated activity: not for a supervised volunteer, a governor who only governs, or a contractor without regulated activity." } },

    { key: 'prohibition', section: 'Teaching', name: 'Prohibition from teaching', help: 'Teacher Services check that the person is not prohibited from teaching (whoever does teaching work, in every school type).', type: 'date', requirement: 'statutory', appliesTo: STAFF, condition: and(eq('fact.teaches', 'yes')) },
    { key: 'qualifications', section: 'Teaching', name: 'Professional qualifications', help: 'Qualifications the post requires (e.g. QTS) verified.', type: 'date', requirement: 'statutory', appliesTo: STAFF, condition: and(eq('fact.requires_qualification', 'yes')) },
    { key: 'section_128', section: 'Management', name: 'Section 128 check', help: 'Not barred from taking part in the management of an independent school, academy or free school.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'governor'],
      condition: or(and(STAFF_TYPE, PROPRIETOR_BODY, eq('fact.management_post', 'yes')), and(eq('profile.type', 'governor'), SCHOOLS)) },

    { key: 'overseas_checks', section: 'Overseas', name: 'Overseas checks', help: 'Certificate of good conduct or letter of professional standing.', type: 'date', requirement: 'statutory', appliesTo: ['teaching', 'support', 'governor'],
      condition: and(eq('fact.lived_abroad', 'yes'), or(STAFF_TYPE, PROPRIETOR_BODY)) },

    { key: 'right_to_work', section: 'Right to work', name: 'Right to work', help: 'Right to work in the UK checked.', type: 'date', requirement: 'statutory', appliesTo: STAFF },

    { key: 'agency_confirmation', section: 'Agency and supply', name: "Written confirmation of the agency's checks", help: 'The agency confirmed in writing that it made the checks the school would make; record the date it was received.', type: 'yesno', requirement: 'statutory', appliesTo: ['agency'], passValue: true, dateRequired: true },
    { key: 'agency_confirmation_date', section: 'Agency and supply', name: 'Date of the written confirmation', help: 'The date the written confirmation was received.', type: 'date', requirement: 'statutory', appliesTo: ['agency'] },
    { key: 'agency_dbs_provided', section: 'Agency and supply', name: 'DBS certificate provided by the agency', help: 'Whether the agency provided a copy of the enhanced DBS certificate ("no" is a complete answer).', type: 'yesno', requirement: 'statutory', appliesTo: ['agency'] },
    { key: 'agency_dbs_date', section: 'Agency and supply', name: "Date of the agency's DBS certificate", help: 'Independent schools: the date the enhanced DBS certificate the agency relied on was obtained.', type: 'date', requirement: 'statutory', appliesTo: ['agency'], condition: and(eq('organisation.type', 'independent')) },

    { key: 'risk_assessment', section: 'Volunteers', name: 'Written risk assessment', help: 'The written risk assessment for the volunteer, with its date (whether an enhanced DBS check is sought, supervision).', type: 'date', requirement: 'statutory', appliesTo: ['volunteer'] },

    { key: 'relevant_activity', section: 'Colleges', name: 'Position involves relevant activity', help: 'Colleges: the record of whether the position involves "relevant activity" (either answer is compliant; it must be recorded).', type: 'yesno', requirement: 'statutory', appliesTo: STAFF, condition: and(eq('organisation.type', 'college')) },

    { key: 'childcare_disqualification', section: 'Childcare', name: 'Childcare disqualification declaration', help: 'For people who work in or manage relevant childcare.', type: 'date', requirement: 'recommended', appliesTo: STAFF, condition: and(eq('fact.early_years_childcare', 'yes')) },
    { key: 'references', section: 'Recommended', name: 'References', help: 'References received and followed up.', type: 'date', requirement: 'recommended', appliesTo: STAFF },
    { key: 'medical_fitness', section: 'Recommended', name: 'Medical fitness', help: '', type: 'date', requirement: 'recommended', appliesTo: STAFF },
    { key: 'safeguarding_training', section: 'Recommended', name: 'Safeguarding training', help: 'Date of the last safeguarding and child protection training (expires after the validity set here, 12 months by default).', type: 'date', requirement: 'recommended', appliesTo: ['teaching', 'support', 'governor'], validity: { n: 12, unit: 'months' } },
  ],
};
