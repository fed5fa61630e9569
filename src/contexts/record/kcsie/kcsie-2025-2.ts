import { and, eq, or, type BuiltInCheck, type BuiltInSet } from './kcsie-2025.js';
import { KCSIE_2025_1 } from './kcsie-2025-1.js';

/**
 * "KCSIE 2025.2": "KCSIE 2025.1" with two checks corrected after an audit against the law as
 * written (docs/decisions/041-kcsie-audit.md; one table case per rule in
 * rules/tables/kcsie-2025-2.json). Every other check, fact, profile type and rating system is
 * 2025.1's, unchanged.
 */
const PROPRIETOR_BODY = or(eq('organisation.type', 'academy'), eq('organisation.type', 'free'), eq('organisation.type', 'independent'));

const CORRECTIONS: Readonly<Record<string, Partial<BuiltInCheck>>> = {
  // KCSIE 2025 Part 3, "Volunteers": the risk assessment is how a school decides whether to obtain
  // an enhanced DBS certificate "for any volunteer not engaged in regulated activity". A volunteer
  // in regulated activity must have the enhanced certificate with barred-list information instead
  // (both statutory here); the law asks no risk assessment of them. Not answered, the facts count
  // as unsupervised and in regulated activity (their safe answers), so the DBS checks apply.
  risk_assessment: {
    help: 'For a volunteer not in regulated activity (supervised, or not doing regulated activity): the risk assessment deciding whether an enhanced DBS certificate is sought, with its date.',
    condition: or(eq('fact.volunteer_supervised', 'yes'), eq('fact.regulated_activity', 'no')),
  },
  // KCSIE 2025 Part 3, "Single central record" (agency and supply staff): "Independent schools ...
  // should also include the date on which any certificate was obtained"; Education (Independent
  // School Standards) Regulations 2014, Schedule Part 4 (the register): the date, when a
  // certificate was provided. Academies and free schools are independent schools in law
  // (Education Act 1996 s.463) and meet the same standards, so they record it too; when the agency
  // provided no certificate ("no"), there is no date to record.
  agency_dbs_date: {
    help: "Independent schools, academies and free schools: the date the enhanced DBS certificate the agency provided was obtained (only when one was provided).",
    condition: and(PROPRIETOR_BODY, eq('check.agency_dbs_provided', 'yes')),
  },
};

export const KCSIE_2025_2: BuiltInSet = {
  ...KCSIE_2025_1,
  version: 'KCSIE 2025.2',
  summary:
    "Audit corrections: the volunteer risk assessment only for volunteers not in regulated activity; the agency's DBS certificate date in academies and free schools as well as independent schools, and only when a certificate was provided.",
  checks: KCSIE_2025_1.checks.map((c) => (CORRECTIONS[c.key] ? { ...c, ...CORRECTIONS[c.key] } : c)),
};
