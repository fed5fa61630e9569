/**
 * THE NAV/ROUTE REGISTRY. Every page of the app is listed here, nowhere else.
 *
 * To add a page: write `web/src/pages/<area>/<Page>.tsx` with a default-exported component, then
 * add ONE line to its area's `pages` below:
 *     page('groups', 'Groups', () => import('./pages/signin/Groups'), 'signin.read'),
 * - path is relative to the area (`''` is the area's landing page, `'groups/:id'` a detail page);
 * - a label puts it in the navigation; `null` makes it routable only (detail pages);
 * - the permission (from src/common/permissions.ts) hides it from roles that lack it, and a
 *   tenant-wide one from users limited to some sites or organisations;
 * - an area's `reach` hides it from users limited to the other kind alone (their `me.user.reach`).
 * An area with no `''` page lands on its first page the user may see.
 *
 * Pages outside the app layout (no navigation, e.g. a kiosk) go in STANDALONE_PAGES.
 */
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import type { Permission } from './permissions';
import { IconDoor, IconPlug, IconRecord, IconSettings, IconSync } from './components/icons';

type Loader = () => Promise<{ default: ComponentType }>;

export type AreaPage = {
  /** Relative to the area's path; '' is the area's landing page. */
  path: string;
  /** Navigation label; null for pages reached by links only. */
  label: string | null;
  component: LazyExoticComponent<ComponentType>;
  permission?: Permission;
};

export type Area = {
  id: string;
  label: string;
  /** Absolute, e.g. '/settings'. */
  path: string;
  icon: ReactNode;
  /** Needed to see the area at all. */
  permission?: Permission;
  /**
   * What the area shows: what is at sites (sign-in) or in organisations (the record). A user scoped
   * to the other kind alone reaches none of it, so the area is not offered to them.
   */
  reach?: 'site' | 'organisation';
  pages: AreaPage[];
};

export function page(path: string, label: string | null, load: Loader, permission?: Permission): AreaPage {
  return { path, label, component: lazy(load), permission };
}

export const AREAS: Area[] = [
  {
    id: 'signin',
    label: 'Sign-in',
    path: '/signin',
    icon: <IconDoor />,
    permission: 'signin.read',
    reach: 'site',
    pages: [
      page('', 'Overview', () => import('./pages/signin/Overview')),
      page('on-site', 'On site now', () => import('./pages/signin/OnSite'), 'signin.read'),
      page('sites', 'Sites', () => import('./pages/signin/Sites'), 'signin.read'),
      page('groups', 'Groups', () => import('./pages/signin/Groups'), 'signin.read'),
      page('groups/:id', null, () => import('./pages/signin/GroupDetail'), 'signin.read'),
      page('visits', 'History', () => import('./pages/signin/Visits'), 'signin.read'),
      page('safety', 'Safety check', () => import('./pages/signin/SafetySettings'), 'signin.manage'),
      page('roll-calls', 'Fire roll call', () => import('./pages/signin/RollCallList'), 'signin.read'),
      page('roll-calls/:id', null, () => import('./pages/signin/RollCallLive'), 'signin.read'),
      page('webhooks', 'Webhooks', () => import('./pages/signin/WebhooksAdmin'), 'webhooks.manage'),
    ],
  },
  {
    id: 'scim',
    label: 'SCIM',
    path: '/scim',
    icon: <IconSync />,
    permission: 'scim.manage',
    reach: 'site',
    pages: [
      page('', 'Overview', () => import('./pages/scim/Overview')),
      page('groups/:groupId', null, () => import('./pages/scim/GroupScim')),
      page('members/:memberId', null, () => import('./pages/scim/ScimMember')),
    ],
  },
  {
    id: 'record',
    label: 'Central Record',
    path: '/record',
    icon: <IconRecord />,
    permission: 'record.read',
    reach: 'organisation',
    pages: [
      page('', 'Dashboard', () => import('./pages/record/Overview')),
      page('profiles', 'Profiles', () => import('./pages/record/Profiles')),
      page('profiles/:id', null, () => import('./pages/record/Profile')),
      page('import', 'Import', () => import('./pages/record/Import'), 'record.edit'),
      page('settings', 'Record settings', () => import('./pages/record/Setup'), 'record.manage'),
    ],
  },
  {
    id: 'integrations',
    label: 'Integrations',
    path: '/integrations',
    icon: <IconPlug />,
    permission: 'integration.read',
    pages: [
      page('', 'Overview', () => import('./pages/integrations/Overview')),
      page('groups/:groupId', null, () => import('./pages/integrations/GroupIntegration'), 'integration.read'),
      page('type-map', 'Profile type map', () => import('./pages/integrations/TypeMap'), 'integration.read'),
      page('import', 'Import', () => import('./pages/integrations/Import'), 'integration.manage'),
      page('merge', 'Duplicates', () => import('./pages/integrations/MergeQueue'), 'integration.review'),
      page('merges', 'Merge history', () => import('./pages/integrations/Merges'), 'integration.review'),
      page('push', 'Push', () => import('./pages/integrations/Push'), 'integration.manage'),
      page('exclusions', 'Exclusions', () => import('./pages/integrations/Exclusions'), 'integration.review'),
      page('wonde', 'Wonde', () => import('./pages/integrations/Wonde'), 'integration.read'),
      page('sync-log', 'Sync log', () => import('./pages/integrations/SyncLog'), 'integration.review'),
    ],
  },
  {
    id: 'settings',
    label: 'Settings',
    path: '/settings',
    icon: <IconSettings />,
    pages: [
      page('users', 'Users & roles', () => import('./pages/settings/Users'), 'users.read'),
      page('account', 'My account', () => import('./pages/settings/Account')),
      page('security', 'Security', () => import('./pages/settings/Security'), 'tenant.manage'),
      page('identity-provider', 'Identity provider', () => import('./pages/settings/IdentityProvider'), 'settings.manage'),
      page('api-keys', 'API keys', () => import('./pages/settings/ApiKeys'), 'apikeys.manage'),
      page('audit', 'Audit log', () => import('./pages/settings/Audit'), 'audit.read'),
      page('notifications', 'Notifications', () => import('./pages/settings/Notifications')),
    ],
  },
];

export type StandalonePage = {
  /** Absolute path. */
  path: string;
  component: LazyExoticComponent<ComponentType>;
  /** Public pages need no session (sign-in, invite, reset); others redirect to sign-in. */
  public: boolean;
};

export const STANDALONE_PAGES: StandalonePage[] = [
  { path: '/login', public: true, component: lazy(() => import('./pages/auth/SignIn')) },
  { path: '/kiosk', public: true, component: lazy(() => import('./pages/signin/Kiosk')) },
  { path: '/invite/:token', public: true, component: lazy(() => import('./pages/auth/AcceptInvite')) },
  { path: '/reset', public: true, component: lazy(() => import('./pages/auth/ResetRequest')) },
  { path: '/reset/:token', public: true, component: lazy(() => import('./pages/auth/ResetComplete')) },
];

/** Joins an area path and a page path. */
export function pagePath(area: Area, p: AreaPage): string {
  return p.path ? `${area.path}/${p.path}` : area.path;
}
