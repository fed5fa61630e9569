import { describe, expect, it } from 'vitest';
import { call } from '../../test/factories.js';
import type { TestEnv } from '../../test/harness.js';
import { makeGroup, makeMember, makeSite } from '../../test/signin-factories.js';
import { recordTenant } from '../../test/record-fixtures.js';
import { axe, E2E_TEST_TIMEOUT, findChromiumOrSkip, screenshot, signIn, useE2e } from './harness.js';

const chromiumPath = findChromiumOrSkip();

/**
 * The integration end to end: link a group, preview the type map, import (live progress), merge a
 * suggested pair and undo it; then a member without a DBS check is turned away at the kiosk with
 * the reason, because the record counts in the group's safety check.
 */
describe.skipIf(!chromiumPath)('integration (Chromium)', { timeout: E2E_TEST_TIMEOUT * 2 }, () => {
  const e2e = useE2e(chromiumPath);

  it('links, previews, imports, merges and undoes, and the kiosk names the missing DBS check', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Northgate Primary', type: 'maintained' } });
    expect(org.status).toBe(201);
    const types = (await call(env.app, 'GET', '/api/record/profile-types', { headers: h })).body.items as Array<{ id: string; key: string }>;
    const existing = await call(env.app, 'POST', '/api/record/profiles', {
      headers: h,
      body: { organisationId: org.body.id, profileTypeId: types.find((t) => t.key === 'teaching')!.id, firstName: 'Ann', lastName: 'Hand', email: 'ann@northgate.test', role: 'Teacher', checks: {} },
    });
    expect(existing.status).toBe(201);
    const site = await makeSite(env, tenant, { name: 'Main office' });
    // The group lets its kiosk name what is missing (by default it would only say "Please see reception").
    const staff = await makeGroup(env, tenant, { name: 'Staff', isStaffGroup: true, options: { showReasonsOnKiosk: true } }, [site.id]);
    await makeMember(env, tenant, staff.id, { fullName: 'Ann Hand', email: 'ann@northgate.test', role: 'Class Teacher' });
    await makeMember(env, tenant, staff.id, { fullName: 'Dan Nodbs', email: 'dan@northgate.test', role: 'Teacher' });

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);

    // Link the group from its Integrations page, found from the group's own page (the only organisation is preselected).
    await page.goto(`${e2e.url}/signin/groups/${staff.id}`);
    await page.getByRole('link', { name: 'Integration settings (organisation, rating systems)' }).click();
    await page.getByRole('heading', { name: 'Integrations: Staff' }).waitFor();
    await page.getByRole('button', { name: 'Link group' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.getByText('Linked to Northgate Primary').waitFor();
    expect(await axe(page)).toEqual([]); // "Saved." in a readable green

    // Preview the mapping: no rules yet, so both staff members default to Teaching Staff.
    await page.goto(`${e2e.url}/integrations/type-map`);
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByLabel('Mapping preview');
    await preview.getByText('Preview: 2 members of linked groups').waitFor();
    await expect(preview.getByRole('row', { name: /Teaching Staff \(staff groups, no rule matched\)/ }).textContent()).resolves.toContain('2');

    // Import with the live progress bar: Dan is created, Ann (same email) goes to the merge queue.
    await page.goto(`${e2e.url}/integrations/import`);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.locator('[data-run-status="done"]').waitFor({ timeout: 30_000 });
    await page.getByText('2 of 2 (100%)').waitFor();
    // The summary says what happened, and links to the queue.
    const summary = page.getByRole('status').filter({ hasText: 'Import finished' });
    await summary.getByText('2 profiles created: 1 new, and 1 probable duplicate of existing profiles, queued for merging.').waitFor();
    await summary.getByRole('link', { name: 'Review the 1 queued duplicate' }).click();
    await page.getByRole('heading', { name: 'Duplicates' }).waitFor();

    // Merge the suggested pair, choosing per field.
    await page.goto(`${e2e.url}/integrations/merge`);
    const pair = page.getByLabel('Pair Ann Hand and Ann Hand');
    await pair.getByText('Same email', { exact: true }).waitFor();
    await pair.getByRole('button', { name: 'Compare' }).click();
    await pair.getByText('Preserve these values').waitFor();
    await screenshot(page, 'integration-merge-pair');
    await pair.getByRole('button', { name: 'Merge this pair' }).click();
    await page.getByRole('status').filter({ hasText: 'Ann Hand merged' }).waitFor();
    await page.getByText('No suggested duplicates.').waitFor();

    // Undo it from the history: both profiles come back.
    await page.getByRole('link', { name: 'Undo it from the merge history' }).click();
    await page.getByRole('button', { name: 'Undo merge of Ann Hand' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Undo merge' }).click();
    await page.getByRole('status').filter({ hasText: 'Both profiles are back' }).waitFor();
    await page.getByText(/^undone/).waitFor();
    const live = await call(env.app, 'GET', `/api/record/profiles?organisationId=${org.body.id}`, { headers: h });
    expect(live.body.items.filter((p: { firstName: string }) => p.firstName === 'Ann')).toHaveLength(2);

    // Merge all, preserving the Central Record's role for every pair: preview, then merge.
    await page.goto(`${e2e.url}/integrations/merge`);
    await page.getByRole('textbox', { name: 'Preserve Role' }).click();
    await page.getByRole('option', { name: 'Central Record profile' }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    const previewTable = page.getByRole('table', { name: 'Merge all preview' });
    await previewTable.getByRole('row', { name: /Ann Hand/ }).getByText('Teacher (Central Record)').waitFor();
    await page.getByRole('button', { name: 'Merge all 1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Merge all' }).click();
    await page.getByText('No suggested duplicates.').waitFor();
    const merged = (await call(env.app, 'GET', '/api/integration/merges', { headers: h })).body.items.find((m: { undoneAt: string | null }) => !m.undoneAt);
    const keptProfile = (await call(env.app, 'GET', `/api/record/profiles/${merged.keptProfileId}`, { headers: h })).body;
    expect(keptProfile.role).toBe('Teacher');

    // The record counts in the safety check (the tenant setting, with the safety check settings).
    await page.goto(`${e2e.url}/signin/safety`);
    await page.getByRole('switch', { name: "Include the Central Record's criteria in the safety check" }).click();
    await expect.poll(async () => (await call(env.app, 'GET', '/api/integration/settings', { headers: h })).body.includeRecordInSafetyCheck).toBe(true);

    // The kiosk: Dan's imported profile has no DBS check, so he is turned away with the reason.
    const code = await call(env.app, 'POST', `/api/signin/sites/${site.id}/kiosk-pairings`, { headers: h });
    expect(code.status).toBe(201);
    const kiosk = await e2e.context.newPage();
    await kiosk.setViewportSize({ width: 1024, height: 768 });
    await kiosk.goto(`${e2e.url}/kiosk`);
    await kiosk.getByRole('textbox', { name: 'Pairing code' }).fill(code.body.code);
    await kiosk.getByRole('button', { name: 'Pair' }).click();
    await kiosk.getByRole('heading', { name: 'Main office' }).waitFor();
    await kiosk.getByRole('button', { name: 'Staff' }).click();
    await kiosk.getByRole('textbox', { name: 'Type your name, or scan your card' }).fill('nodbs');
    await kiosk.getByRole('button', { name: /Dan Nodbs/ }).click();
    const alert = kiosk.getByRole('alert').filter({ hasText: 'you cannot sign in' });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toMatch(/Enhanced DBS[^.]*missing/);
    await screenshot(kiosk, 'integration-kiosk-rejected');
    const visits = await call(env.app, 'GET', '/api/signin/visits', { headers: h });
    expect(visits.body.items.map((v: { personName: string; outcome: string }) => `${v.personName}:${v.outcome}`)).toEqual(['Dan Nodbs:rejected']);
  });

  it("the type map's group condition picks a group from a list and stores its id", async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    // The Central Record (and its profile types) starts with the first organisation.
    expect((await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Northgate Primary', type: 'maintained' } })).status).toBe(201);
    await makeGroup(env, tenant, { name: 'Staff', isStaffGroup: true });
    const volunteers = await makeGroup(env, tenant, { name: 'Volunteers' });

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/integrations/type-map`);
    // No rules: the page says what happens without one and what a rule is for.
    await expect(page.getByTestId('type-map-empty').textContent()).resolves.toContain('members of linked staff groups become Teaching Staff');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByTestId('type-map-empty').waitFor({ state: 'detached' });
    const rule = page.getByLabel('Rule 1');
    await rule.getByRole('button', { name: 'Add condition' }).click();
    await rule.getByRole('textbox', { name: 'Field 1' }).click();
    await page.getByRole('option', { name: 'Sign-in group' }).click();
    await rule.getByRole('textbox', { name: 'Value 1' }).click();
    await expect(page.getByRole('option').allTextContents()).resolves.toEqual(['Staff', 'Volunteers']);
    await page.getByRole('option', { name: 'Volunteers' }).click();
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByRole('status').filter({ hasText: 'Rules saved.' }).waitFor();

    const saved = await call(env.app, 'GET', '/api/integration/type-map', { headers: h });
    expect(saved.body.rules[0].condition.conditions).toEqual([{ field: 'member.group', operator: 'equals', value: volunteers.id }]);
    // Opened again, the rule shows the group by its name.
    await page.reload();
    await expect(page.getByLabel('Rule 1').getByRole('textbox', { name: 'Value 1' }).inputValue()).resolves.toBe('Volunteers');
  });

  it('the sync log names the people it synced, and filters by a person picked by name', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    const h = tenant.owner.headers;
    const org = await call(env.app, 'POST', '/api/record/organisations', { headers: h, body: { name: 'Northgate Primary', type: 'maintained' } });
    const staff = await makeGroup(env, tenant, { name: 'Staff', isStaffGroup: true });
    expect((await call(env.app, 'PUT', `/api/integration/groups/${staff.id}/link`, { headers: h, body: { organisationId: org.body.id } })).status).toBe(200);
    const sue = await makeMember(env, tenant, staff.id, { fullName: 'Sue Sync', role: 'Teacher' });
    await makeMember(env, tenant, staff.id, { fullName: 'Tom Two', role: 'Teacher' });

    const page = await e2e.newPage();
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/integrations/import`);
    await page.getByRole('button', { name: 'Start import' }).click();
    await page.locator('[data-run-status="done"]').waitFor({ timeout: 30_000 });
    // Both change in sign-in; the sync carries the change to their profiles.
    const members = (await call(env.app, 'GET', `/api/signin/groups/${staff.id}/members`, { headers: h })).body.items as Array<{ id: string; version: number }>;
    for (const m of members) expect((await call(env.app, 'PATCH', `/api/signin/members/${m.id}`, { headers: h, body: { version: m.version, role: 'Head' } })).status).toBe(200);
    expect(members.map((m) => m.id)).toContain(sue.id);

    await page.goto(`${e2e.url}/integrations/sync-log`);
    await page.getByRole('button', { name: 'Sync everyone now' }).click();
    const log = page.getByRole('table', { name: 'Sync log' });
    await log.getByRole('link', { name: 'Sue Sync' }).waitFor({ timeout: 30_000 });
    await log.getByRole('link', { name: 'Tom Two' }).waitFor();
    await expect(log.textContent()).resolves.not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);

    await page.getByRole('textbox', { name: 'Person' }).click();
    await page.getByRole('option', { name: 'Sue Sync' }).click();
    // The filtered log loads in its own time (a loader stands in the table's place meanwhile): wait for
    // Sue's rows to be there and Tom's gone, together, not for Tom's gone alone.
    const shown = async () => ({ sue: await log.getByRole('link', { name: 'Sue Sync' }).count(), tom: await log.getByRole('link', { name: 'Tom Two' }).count() });
    await expect.poll(async () => { const s = await shown(); return s.sue > 0 && s.tom === 0; }).toBe(true);
  });

  it('on a 360 px phone badges are whole: the overview\'s group types (were "R…") and the profiles\' ratings (the table scrolls instead)', async () => {
    const tenant = await e2e.createTenant();
    const env = { app: e2e.server.app, platform: e2e.server.platform, config: e2e.server.platform.config } as TestEnv;
    for (const [name, type] of [['Contractors and visiting coaches', 'repeat'], ['Staff from Okta', 'scim'], ['Visitors', 'standard']] as const) await makeGroup(env, tenant, { name, type });
    const page = await e2e.newPage({ width: 360, height: 740 });
    await signIn(page, e2e.url, tenant.owner);
    await page.goto(`${e2e.url}/integrations`);
    await page.getByRole('link', { name: 'Staff from Okta' }).waitFor();
    const clipped = () => page.locator('.mantine-Badge-label').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
    expect(await clipped()).toEqual([]);
    // The profiles list: each rating badge whole ("Inspector ready: not ready", not "INSPECTOR READY: NOT…").
    const { org, typeId } = await recordTenant(env, tenant);
    expect((await call(env.app, 'POST', '/api/record/profiles', { headers: tenant.owner.headers, body: { firstName: 'Grace', lastName: 'Hopper', organisationId: org.id, profileTypeId: typeId('teaching') } })).status).toBe(201);
    await page.goto(`${e2e.url}/record/profiles`);
    await page.getByRole('link', { name: 'Hopper, Grace' }).waitFor();
    expect(await page.locator('.mantine-Badge-label').count()).toBeGreaterThan(1);
    expect(await clipped()).toEqual([]);
  });
});

