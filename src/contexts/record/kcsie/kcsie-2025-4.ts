import { and, eq, or, type BuiltInCheck, type BuiltInSet } from './kcsie-2025.js';
import { KCSIE_2025_3 } from './kcsie-2025-3.js';

/**
 * "KCSIE 2025.4": "KCSIE 2025.3" with the right to work asked of the governors of a proprietor body
 * too (docs/decisions/046-session-12.md, section "law"; one table case per rule in
 * rules/tables/kcsie-2025-4.json). Every other check, fact, profile type and rating system is
 * 2025.3's, unchanged.
 *
 * Where the proprietor is a body of persons (an academy trust, the trust of a free school, the
 * governing body or company of an independent school), the Education (Independent School
 * Standards) Regulations 2014, Schedule Part 4, para 20(6)(b), has the chair make sure that, for
 * each other member of the body, checks confirm their identity and their right to work in the
 * United Kingdom (with the enhanced DBS check, the section 128 check and, where they lived abroad,
 * further checks); para 20(5) has the Secretary of State make the same for the chair. 2025.3 asked
 * it only of a non-maintained special school's governors (whose regulations say the same); it now
 * applies to trustees, trust members and local governors of academies and free schools and to the
 * proprietor body of an independent school. Maintained schools' governors are unchanged (the
 * School Governance regulations ask an enhanced DBS certificate and no right-to-work check).
 */
const STAFF_TYPE = or(eq('profile.type', 'teaching'), eq('profile.type', 'support'));
const GOVERNOR = eq('profile.type', 'governor');
const PROPRIETOR_BODY = or(eq('organisation.type', 'academy'), eq('organisation.type', 'free'), eq('organisation.type', 'independent'));
const NMSS = eq('organisation.type', 'non_maintained_special');

const CHECK_CHANGES: Readonly<Record<string, Partial<BuiltInCheck>>> = {
  right_to_work: {
    help: 'Right to work in the UK checked (staff; governors, trustees and trust members of academies, free schools, independent schools run by a proprietor body, and non-maintained special schools).',
    condition: or(STAFF_TYPE, and(GOVERNOR, or(PROPRIETOR_BODY, NMSS))),
  },
};

export const KCSIE_2025_4: BuiltInSet = {
  ...KCSIE_2025_3,
  version: 'KCSIE 2025.4',
  summary:
    'Right to work for the governors of a proprietor body: trustees, trust members and local governors of academies and free schools, and the proprietor body of an independent school (Independent School Standards para 20(6)(b)), as non-maintained special schools already had.',
  checks: KCSIE_2025_3.checks.map((c) => (CHECK_CHANGES[c.key] ? { ...c, ...CHECK_CHANGES[c.key] } : c)),
};
