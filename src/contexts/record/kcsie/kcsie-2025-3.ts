import { and, eq, or, type BuiltInCheck, type BuiltInFact, type BuiltInSet } from './kcsie-2025.js';
import { KCSIE_2025_2 } from './kcsie-2025-2.js';

/**
 * "KCSIE 2025.3": "KCSIE 2025.2" plus non-maintained special schools (organisation type
 * `non_maintained_special`) and the move from a school post within three months
 * (docs/decisions/045-session-11.md, section "nmss"; one table case per rule in
 * rules/tables/kcsie-2025-3.json). Every other check, fact, profile type and rating system is
 * 2025.2's, unchanged.
 *
 * A non-maintained special school (approved under Education Act 1996 s.342) is neither a
 * maintained school nor an independent school (s.463 excludes "a special school not so
 * maintained"); the Non-Maintained Special Schools (England) Regulations 2015 (NMSS Regulations),
 * Schedule Part 1, and KCSIE set its checks:
 * - staff: as everywhere (identity, enhanced DBS, barred list in regulated activity, prohibition for
 *   teaching work, overseas, qualifications the post requires, right to work); teachers must be
 *   qualified (the School Teachers' Qualifications Regulations 2003 count "a special school not so
 *   maintained" as a school), so a teacher's post requires a qualification by default; no section
 *   128 check (a direction bars management of an independent educational institution; KCSIE asks
 *   the record of it of independent schools, academies and free schools only);
 * - agency and supply staff: the agency's DBS certificate date too (KCSIE's SCR footnote names
 *   "independent schools and non-maintained special schools");
 * - governors: identity, enhanced DBS, overseas checks and right to work (the NMSS Regulations'
 *   suitability checks cover members of the governing body; the chair's are made by the Secretary
 *   of State); no section 128 check, barred list only in regulated activity.
 */
const STAFF = ['teaching', 'support'];
const STAFF_TYPE = or(eq('profile.type', 'teaching'), eq('profile.type', 'support'));
const GOVERNOR = eq('profile.type', 'governor');
const NMSS = eq('organisation.type', 'non_maintained_special');
/** Academies, free schools and independent schools: the proprietor body is the trust or the proprietor. */
const PROPRIETOR_BODY = or(eq('organisation.type', 'academy'), eq('organisation.type', 'free'), eq('organisation.type', 'independent'));
/** Where the three-month exemption is in the law the school is held to (KCSIE "Applicant moving from previous post"; ISS para 18(3); NMSS Regulations; School Staffing (England) Regulations 2009). */
const EXEMPTION_SCHOOLS = or(eq('organisation.type', 'maintained'), PROPRIETOR_BODY, NMSS);
/** Staff who need overseas checks when they lived or worked abroad: all, except those who came from a school post within three months (in a school where that exemption is law). */
const STAFF_NOT_EXEMPT = and(STAFF_TYPE, or(eq('fact.moved_from_school_post', 'no'), eq('organisation.type', 'college'), eq('organisation.type', 'other')));

const FACT_CHANGES: Readonly<Record<string, Partial<BuiltInFact>>> = {
  requires_qualification: {
    help: 'The post needs a qualification by law, e.g. QTS for a teacher in a maintained or non-maintained special school (not required by law in academies, free or independent schools).',
    defaults: [
      { profileTypes: ['teaching'], organisationTypes: ['maintained', 'non_maintained_special'], value: true },
      { profileTypes: ['teaching'], organisationTypes: ['academy', 'free', 'independent', 'college', 'other'], value: false },
      { profileTypes: ['support'], value: false },
    ],
  },
  // Governors of a non-maintained special school have overseas checks too.
  lived_abroad: { condition: or(STAFF_TYPE, PROPRIETOR_BODY, NMSS) },
};

const MOVED: BuiltInFact = {
  key: 'moved_from_school_post',
  name: 'Came from a school post within three months',
  help: 'In a period ending no more than three months before appointment, worked in a school in England in a post with regular contact with children (or one appointed to on or after 12 May 2006), or in a college in England teaching children regularly. Then the law asks no overseas checks; the record still shows the enhanced DBS certificate relied on.',
  appliesTo: STAFF,
  condition: EXEMPTION_SCHOOLS,
  safeAnswer: false,
};

const CHECK_CHANGES: Readonly<Record<string, Partial<BuiltInCheck>>> = {
  identity: { condition: or(STAFF_TYPE, and(GOVERNOR, or(PROPRIETOR_BODY, NMSS))) },
  overseas_checks: { condition: and(eq('fact.lived_abroad', 'yes'), or(STAFF_NOT_EXEMPT, and(GOVERNOR, or(PROPRIETOR_BODY, NMSS)))) },
  right_to_work: {
    help: 'Right to work in the UK checked (staff; in a non-maintained special school every governor too).',
    appliesTo: ['teaching', 'support', 'governor'],
    condition: or(STAFF_TYPE, and(GOVERNOR, NMSS)),
  },
  agency_dbs_date: {
    help: 'Independent schools, academies, free schools and non-maintained special schools: the date the enhanced DBS certificate the agency provided was obtained (only when one was provided).',
    condition: and(or(PROPRIETOR_BODY, NMSS), eq('check.agency_dbs_provided', 'yes')),
  },
};

export const KCSIE_2025_3: BuiltInSet = {
  ...KCSIE_2025_2,
  version: 'KCSIE 2025.3',
  summary:
    "Non-maintained special schools: the agency's DBS certificate date, QTS for teachers, identity, overseas and right-to-work checks for governors, no section 128 check. A new fact, \"came from a school post within three months\", lifts the overseas checks as the law does.",
  facts: [...KCSIE_2025_2.facts.map((f) => (FACT_CHANGES[f.key] ? { ...f, ...FACT_CHANGES[f.key] } : f)), MOVED],
  checks: KCSIE_2025_2.checks.map((c) => (CHECK_CHANGES[c.key] ? { ...c, ...CHECK_CHANGES[c.key] } : c)),
};
