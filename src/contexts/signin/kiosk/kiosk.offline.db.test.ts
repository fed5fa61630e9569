import { describe, expect, it } from 'vitest';
import { useTestEnv } from '../../../../test/harness.js';
import { call, createTestTenant } from '../../../../test/factories.js';
import { solidPng } from '../../../../test/png.js';
import { kioskSetup, makeMember } from '../../../../test/signin-factories.js';

const env = useTestEnv();

type CopyGroup = { id: string; offline: { photos: boolean }; questions: unknown[]; members: Array<{ id: string; photo: string | null }> };
const copyOf = async (headers: Record<string, string>, groupId: string) => ((await call(env.app, 'GET', '/api/kiosk/offline', { headers })).body.groups as CopyGroup[]).find((g) => g.id === groupId)!;
const putPhoto = (headers: Record<string, string>, memberId: string, png: Buffer) => env.app.inject({ method: 'PUT', url: `/api/signin/members/${memberId}/photo`, headers: { ...headers, 'content-type': 'image/png' }, payload: png });

describe('GET /api/kiosk/offline: photos and the questions that reject', () => {
  it('carries a photo tag per member with a photo (changing with the photo), none where the group keeps no photos offline', async () => {
    const t = await createTestTenant(env);
    const { group, kiosk } = await kioskSetup(env, t);
    const ada = await makeMember(env, t, group.id, { fullName: 'Ada Lovelace' });
    const bo = await makeMember(env, t, group.id, { fullName: 'Bo Diddley' });
    expect((await putPhoto(t.owner.headers, ada.id, solidPng(4, 4, [200, 0, 0]))).statusCode).toBe(200);

    const g = await copyOf(kiosk.headers, group.id);
    expect(g.offline.photos).toBe(true);
    const tag = g.members.find((m) => m.id === ada.id)!.photo;
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    expect(g.members.find((m) => m.id === bo.id)!.photo).toBeNull();

    // A new photo: a new tag (the kiosk fetches it again); the same photo otherwise keeps its tag.
    expect((await copyOf(kiosk.headers, group.id)).members.find((m) => m.id === ada.id)!.photo).toBe(tag);
    expect((await putPhoto(t.owner.headers, ada.id, solidPng(4, 4, [0, 200, 0]))).statusCode).toBe(200);
    const tag2 = (await copyOf(kiosk.headers, group.id)).members.find((m) => m.id === ada.id)!.photo;
    expect(tag2).toMatch(/^[0-9a-f]{16}$/);
    expect(tag2).not.toBe(tag);

    // The group keeps no photos offline: no tags (the kiosk drops the ones it kept).
    const off = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { offline: { maxSafetyAgeHours: 24, whenStale: 'reject', photos: false } } } });
    expect(off.status).toBe(200);
    expect(off.body.options.offline).toEqual({ maxSafetyAgeHours: 24, whenStale: 'reject', photos: false });
    const g3 = await copyOf(kiosk.headers, group.id);
    expect(g3.offline.photos).toBe(false);
    expect(g3.members.map((m) => m.photo)).toEqual([null, null]);
  });

  it('carries the questions that reject, with their message only where the group shows reasons on the kiosk', async () => {
    const t = await createTestTenant(env);
    const customFields = [
      { id: 'unwell', label: 'Are you unwell?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Please stay at home when unwell' } },
      { id: 'car', label: 'Car registration', type: 'text', required: false },
    ];
    const { group, kiosk } = await kioskSetup(env, t, { options: { customFields } });
    expect((await copyOf(kiosk.headers, group.id)).questions).toEqual([{ id: 'unwell', rejectOn: { answer: 'yes', message: null } }]);
    const shown = await call(env.app, 'PATCH', `/api/signin/groups/${group.id}`, { headers: t.owner.headers, body: { options: { customFields, showReasonsOnKiosk: true } } });
    expect(shown.status).toBe(200);
    expect((await copyOf(kiosk.headers, group.id)).questions).toEqual([{ id: 'unwell', rejectOn: { answer: 'yes', message: 'Please stay at home when unwell' } }]);
  });
});
