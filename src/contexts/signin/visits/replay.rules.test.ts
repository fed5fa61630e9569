import { describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_MS, DECIDED_OFFLINE, EARLIEST_EVENT, judgeTime, offlineDecision, REMOVED_MEANWHILE, signOutVerdict, STALE_ALLOWED } from './replay.rules.js';

const t = (iso: string) => new Date(`2026-03-02T${iso}Z`);

describe('offline replay: the time an event is recorded under', () => {
  it.each([
    ['a kiosk clock in step keeps its time', '10:42:00', '11:00:00', '11:00:30', { ok: true, at: '10:42:00', correctedByMs: 0 }],
    ['within the tolerance is not corrected', '10:42:00', '11:00:00', '11:01:30', { ok: true, at: '10:42:00', correctedByMs: 0 }],
    ['a kiosk clock 1 h slow: the server clock wins, moved forward', '09:42:00', '10:00:00', '11:00:00', { ok: true, at: '10:42:00', correctedByMs: 3_600_000 }],
    ['a kiosk clock 1 h fast: moved back', '11:42:00', '12:00:00', '11:00:00', { ok: true, at: '10:42:00', correctedByMs: -3_600_000 }],
    ['an event later than the batch was sent is refused', '12:00:00', '11:00:00', '11:00:00', { ok: false, code: 'future_time' }],
  ] as const)('%s', (_n, eventAt, sentAt, serverNow, expected) => {
    const v = judgeTime(t(eventAt), t(sentAt), t(serverNow));
    if (expected.ok) expect(v).toEqual({ ok: true, at: t(expected.at), correctedByMs: expected.correctedByMs });
    else expect(v).toMatchObject({ ok: false, code: expected.code });
  });

  it('tolerates exactly the clock tolerance', () => {
    const sent = t('11:00:00');
    expect(judgeTime(sent, sent, new Date(sent.getTime() + CLOCK_TOLERANCE_MS))).toMatchObject({ ok: true, correctedByMs: 0 });
    expect(judgeTime(sent, sent, new Date(sent.getTime() + CLOCK_TOLERANCE_MS + 1))).toMatchObject({ ok: true, correctedByMs: CLOCK_TOLERANCE_MS + 1 });
  });

  it('refuses an event corrected to before EARLIEST_EVENT (a kiosk clock far ahead of its events), and keeps one corrected to it', () => {
    const sent = new Date('9999-12-31T23:59:59Z');
    const now = t('11:00:00');
    const skew = now.getTime() - sent.getTime();
    expect(judgeTime(new Date('1990-01-01T00:00:00Z'), sent, now)).toMatchObject({ ok: false, code: 'past_time' });
    expect(judgeTime(new Date(EARLIEST_EVENT.getTime() - skew - 1), sent, now)).toMatchObject({ ok: false, code: 'past_time' });
    expect(judgeTime(new Date(EARLIEST_EVENT.getTime() - skew), sent, now)).toEqual({ ok: true, at: EARLIEST_EVENT, correctedByMs: skew });
  });
});

describe('offline replay: a sign-out against what the server knows', () => {
  const inAt = t('08:00:00');
  it.each([
    ['no visit: refused', undefined, '10:00:00', 'refuse', 'not_signed_in'],
    ['open visit: closed at the kiosk time', { signedInAt: inAt, signedOutAt: null, signedOutBy: null }, '10:00:00', 'close', undefined],
    ['signed out automatically meanwhile: the tap replaces the automatic time', { signedInAt: inAt, signedOutAt: t('18:00:00'), signedOutBy: 'auto' }, '10:00:00', 'replace_auto', 'auto_sign_out_replaced'],
    ['signed out by a person already: the earlier record stands', { signedInAt: inAt, signedOutAt: t('09:00:00'), signedOutBy: 'manual' }, '10:00:00', 'ignore', 'already_signed_out'],
    ['signed out at a kiosk already: ignored', { signedInAt: inAt, signedOutAt: t('09:00:00'), signedOutBy: 'kiosk' }, '10:00:00', 'ignore', 'already_signed_out'],
    ['earlier than the sign-in: ignored', { signedInAt: inAt, signedOutAt: null, signedOutBy: null }, '07:00:00', 'ignore', 'before_sign_in'],
  ] as const)('%s', (_n, visit, at, action, code) => {
    const v = signOutVerdict(visit, t(at));
    expect(v.action).toBe(action);
    expect('code' in v ? v.code : undefined).toBe(code);
  });
});

describe('offline replay: the visit an offline sign-in becomes', () => {
  const failing = [{ check: 'central_record', code: 'record_not_ready', reason: 'DBS expired' }];
  it.each([
    ['admitted, server agrees', 'reject', { admitted: true, stale: false }, [], false, { outcome: 'signed_in', safetyStatus: 'passed', notify: false }],
    ['admitted, group checks nothing', 'off', { admitted: true, stale: false }, [], false, { outcome: 'signed_in', safetyStatus: 'skipped', notify: false }],
    ['admitted, but the server finds a reason: in, flagged', 'reject', { admitted: true, stale: false }, failing, false, { outcome: 'signed_in', safetyStatus: 'notified', notify: true }],
    ['admitted on a stale outcome (allow and flag)', 'reject', { admitted: true, stale: true }, [], false, { outcome: 'signed_in', safetyStatus: 'notified', notify: true }],
    ['turned away offline: rejected as it happened', 'reject', { admitted: false, stale: false }, failing, false, { outcome: 'rejected', safetyStatus: 'rejected', notify: false }],
    ['removed meanwhile: in (they walked in), flagged', 'reject', { admitted: true, stale: false }, [], true, { outcome: 'signed_in', safetyStatus: 'notified', notify: true }],
  ] as const)('%s', (_n, mode, kiosk, reasons, removed, expected) => {
    const d = offlineDecision(mode, kiosk, [...reasons], removed);
    expect({ outcome: d.outcome, safetyStatus: d.safetyStatus, notify: d.notify }).toEqual(expected);
    // The history always says it was decided offline, and why it was flagged.
    expect(d.reasons.at(-1)).toEqual(DECIDED_OFFLINE);
    expect(d.reasons.includes(STALE_ALLOWED)).toBe(kiosk.admitted && kiosk.stale);
    expect(d.reasons.includes(REMOVED_MEANWHILE)).toBe(removed);
  });
});
