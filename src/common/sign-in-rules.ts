/**
 * Sign-in rules that the server and an offline kiosk must judge the same way (pure; the web app
 * imports this file, see eslint.boundaries.js). The server's safety check (`customFieldCheck`,
 * signin/safety/checks.ts) and its mode (`decide`, signin/safety/pipeline.ts) are these functions;
 * the kiosk uses them on its local copy when the server cannot be reached (web/src/offline/).
 */

/** A group's question as far as rejecting goes: its id and, when set, the answer that turns a person away. */
export type RejectingQuestion = { id: string; rejectOn?: { answer: string } | null };

/** An answer as the kiosk sends it ("yes"/"no" or a boolean for a yes/no question, a choice, text). */
export type Answer = string | boolean | undefined;

/** The answer's comparable form: booleans are "yes"/"no", text is trimmed and lower-cased. */
function comparable(a: string | boolean): string {
  return (typeof a === 'boolean' ? (a ? 'yes' : 'no') : a).trim().toLowerCase();
}

/** The questions whose answer is their "reject on" answer, in the group's order. */
export function rejectingAnswers<Q extends RejectingQuestion>(questions: readonly Q[], answers: Readonly<Record<string, Answer>>): Array<Q & { rejectOn: NonNullable<Q['rejectOn']> }> {
  const out: Array<Q & { rejectOn: NonNullable<Q['rejectOn']> }> = [];
  for (const q of questions) {
    if (!q.rejectOn) continue;
    const given = answers[q.id];
    if (given === undefined) continue;
    if (comparable(given) === comparable(q.rejectOn.answer)) out.push(q as Q & { rejectOn: NonNullable<Q['rejectOn']> });
  }
  return out;
}

/** Reasons no mode overrides: an archived or removed member (a leaver, a SCIM `active=false`) cannot sign in. */
export const ALWAYS_REJECT: ReadonlySet<string> = new Set(['member_archived', 'member_removed']);

export type SafetyMode = 'off' | 'reject' | 'notify';

/** What the group's safety check mode makes of the reasons found. */
export function decide<R extends { code: string }>(mode: SafetyMode, reasons: readonly R[]): { outcome: 'signed_in' | 'rejected'; safetyStatus: 'passed' | 'notified' | 'rejected' | 'skipped'; notify: boolean } {
  if (reasons.some((r) => ALWAYS_REJECT.has(r.code))) return { outcome: 'rejected', safetyStatus: 'rejected', notify: false };
  if (mode === 'off') return { outcome: 'signed_in', safetyStatus: 'skipped', notify: false };
  if (reasons.length === 0) return { outcome: 'signed_in', safetyStatus: 'passed', notify: false };
  if (mode === 'notify') return { outcome: 'signed_in', safetyStatus: 'notified', notify: true };
  return { outcome: 'rejected', safetyStatus: 'rejected', notify: false };
}

/**
 * A sign-in judged on its answers alone, as the server judges it: the group's questions are a
 * safety check, so they count only when the mode is not "off", and they turn the person away only
 * when the mode is "reject" (in "notify" the person signs in and the contacts are told).
 */
export function judgeAnswers<Q extends RejectingQuestion>(mode: SafetyMode, questions: readonly Q[], answers: Readonly<Record<string, Answer>>): { rejected: boolean; questions: Array<Q & { rejectOn: NonNullable<Q['rejectOn']> }> } {
  if (mode === 'off') return { rejected: false, questions: [] };
  const hits = rejectingAnswers(questions, answers);
  return { rejected: decide(mode, hits.map(() => ({ code: CUSTOM_FIELD_ANSWER }))).outcome === 'rejected', questions: hits };
}

/** The reason code of a rejecting answer (the visit's history and the safety check use it). */
export const CUSTOM_FIELD_ANSWER = 'custom_field_answer';
