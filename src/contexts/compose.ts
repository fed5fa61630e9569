import type { Platform } from '../platform/platform.js';
import { createAccounts } from './accounts/index.js';
import { createGroupsPort, createSignin, createSigninMembers, sitesPort, type SafetyCheck, type VisitEventSink } from './signin/index.js';
import { createRecord, createRecordPort, organisationsPort } from './record/index.js';
import { createScim, createScimAttributesPort } from './scim/index.js';
import { createIntegration, createIntegrationHooks } from './integration/index.js';

export type ComposeOptions = {
  /** Extra visit event sinks (after the live feed and webhooks). */
  sinks?: readonly VisitEventSink[];
  /** Extra safety checks (after the built-in ones and the Central Record's). */
  safetyChecks?: readonly SafetyCheck[];
};

/**
 * The composition root: every context built once per platform, each handed the ports and hooks
 * it needs as arguments (no module-level registries: a hook not passed in here does not exist).
 * HTTP (app.ts → contexts/index.ts), the job worker (contexts/jobs.ts) and the CLI share the graph.
 *
 * Order: accounts first (its users' scopes point at sign-in's sites and the record's organisations,
 * read through two stateless ports), then the ports (accounts' users, sign-in's groups, SCIM's attributes, the record's); the
 * integration's hooks need only the job queue, the database (to prepare the record check's reads) and the groups and record ports; sign-in's members and groups (all SCIM
 * and the integration need of sign-in) take the member listeners; the record takes the profile
 * guards and listeners; the rest of sign-in (visits, kiosks, live, webhooks) takes the safety checks.
 */
export function composeContexts(platform: Platform, opts: ComposeOptions = {}) {
  const accounts = createAccounts(platform, { scopeTargets: { site: sitesPort, organisation: organisationsPort } });
  const users = accounts.usersPort;
  const groups = createGroupsPort();
  const scimAttributes = createScimAttributesPort();
  // The record's port (bulk reads, the one profile writer, readinessOf with its rules cache), for the
  // integration and the safety check it adds to sign-in.
  const recordPort = createRecordPort({ db: platform.db });
  const hooks = createIntegrationHooks(platform, { groups, record: recordPort });
  const signinMembers = createSigninMembers(platform, { users }, { memberListeners: hooks.memberListeners });
  const record = createRecord(platform, { guards: hooks.profileGuards, listeners: hooks.profileListeners });
  const signin = createSignin(platform, signinMembers, { sinks: opts.sinks, safetyChecks: [...hooks.safetyChecks, ...(opts.safetyChecks ?? [])] });
  const scim = createScim(platform, { members: signinMembers.members, groups });
  const integration = createIntegration(platform, { members: signinMembers.members, groups, scimAttributes, record: recordPort, groupsInUse: hooks.groupsInUse });
  return { accounts, signin, record, scim, integration };
}
export type Contexts = ReturnType<typeof composeContexts>;
