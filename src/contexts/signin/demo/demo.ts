import type { Platform } from '../../../platform/platform.js';
import { systemActor, type Actor } from '../../../platform/audit/audit.js';
import type { Signin } from '../index.js';

const demoActor: Actor = { ...systemActor, label: 'demo' };

/** The demo's member of staff whose Central Record profile lacks a check: the kiosk refuses her, saying why. */
export const DEMO_UNCHECKED_STAFF = 'Priya Shah';

/** The demo's Contractors group kiosk PIN (printed with the owner's sign-in). */
export const DEMO_CONTRACTORS_PIN = '2580';

/** Sites, groups (Staff, Visitors, Contractors) and members for the demo tenant. */
export async function seedSigninDemo(platform: Pick<Platform, 'db'>, s: Signin, tenantId: string, contactIds: string[] = []) {
  const primary = await s.sites.create(tenantId, { name: 'Northgate Primary School', address: '1 School Lane, Northgate', timezone: 'Europe/London' }, demoActor);
  const academy = await s.sites.create(tenantId, { name: 'Northgate Academy', address: '20 College Road, Northgate', timezone: 'Europe/London' }, demoActor);
  // Staff see why the kiosk refuses them (the Central Record's missing checks: see DEMO_UNCHECKED_STAFF).
  const staff = await s.groups.create(
    tenantId,
    { name: 'Staff', type: 'repeat', colour: '#2f9e44', isStaffGroup: true, contactIds, options: { safetyCheckMode: 'reject', showReasonsOnKiosk: true, showOnFireList: true, autoSignOut: { mode: 'at_time', time: '19:00' } } },
    demoActor,
  );
  const visitors = await s.groups.create(
    tenantId,
    {
      name: 'Visitors',
      type: 'standard',
      colour: '#1c7ed6',
      contactIds,
      options: {
        safetyCheckMode: 'reject',
        showOnFireList: true,
        autoSignOut: { mode: 'after_hours', hours: 8 },
        customFields: [
          { id: 'car_reg', label: 'Car registration', type: 'text', required: false },
          { id: 'unwell', label: 'Do you have symptoms of an infectious illness?', type: 'yesno', required: true, rejectOn: { answer: 'yes', message: 'Please rearrange your visit when you are well.' } },
        ],
        agreement: { text: 'I will wear my visitor badge at all times, stay with my host, and report any safeguarding concern to the office.' },
        printBadge: true,
      },
    },
    demoActor,
  );
  const contractors = await s.groups.create(
    tenantId,
    {
      name: 'Contractors',
      type: 'repeat',
      colour: '#f08c00',
      contactIds,
      pin: DEMO_CONTRACTORS_PIN,
      options: {
        safetyCheckMode: 'notify',
        showOnFireList: true,
        customFields: [{ id: 'permit', label: 'Do you hold a permit to work for today?', type: 'yesno', required: true, rejectOn: { answer: 'no', message: 'A permit to work is needed; the office has been told.' } }],
        agreement: { text: 'I have read the site safety rules and asbestos register.' },
        printBadge: true,
      },
    },
    demoActor,
  );
  for (const site of [primary, academy]) await s.sites.setGroups(tenantId, null, site.id, [staff.id, visitors.id, contractors.id], demoActor);
  // The staff of the primary school, the same people as its Central Record profiles (record/demo),
  // to which the integration's demo links them: DEMO_UNCHECKED_STAFF's profile has no DBS check.
  const staffNames: Array<[string, string]> = [
    ['Amelia Hart', 'Headteacher'],
    ['Oliver Bennett', 'Year 4 teacher'],
    [DEMO_UNCHECKED_STAFF, 'Year 1 teacher'],
    ['Tom Okafor', 'Teaching assistant'],
    ['Sophie Reyes', 'Teaching assistant'],
    ["Liam O'Connor", 'Site manager'],
    ['Hannah Kowalski', 'School business manager'],
    ['Mohammed Ali', 'SENCo'],
  ];
  const email = (fullName: string) => `${fullName.toLowerCase().replace(/ /g, '.')}@northgate.example`;
  // Set-wise: one statement per group (and its audit rows with it).
  await s.members.createMany(platform.db, tenantId, staff.id, staffNames.map(([fullName, role]) => ({ fullName, role, email: email(fullName) })), demoActor, 'portal');
  const contractorNames = [['Gary Price', 'Electrician'], ['Nadia Petrova', 'Catering supplier'], ['Tom Fletcher', 'IT support']] as const;
  await s.members.createMany(platform.db, tenantId, contractors.id, contractorNames.map(([fullName, role]) => ({ fullName, role })), demoActor, 'portal');
  return { siteIds: [primary.id, academy.id], groupIds: { staff: staff.id, visitors: visitors.id, contractors: contractors.id } };
}
