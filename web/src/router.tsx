import { Suspense, type ComponentType, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, useLocation, type RouteObject } from 'react-router';
import { Alert } from '@mantine/core';
import { AREAS, STANDALONE_PAGES, pagePath, type Area, type AreaPage } from './areas';
import { AppLayout } from './layout/AppLayout';
import { LoadingState, PageHeader } from './components/common';
import { userCan, useMe, useSession } from './session';
import type { Permission } from './permissions';
import type { Me } from './api';

/** Whether the user reaches what an area shows: a user scoped to sites alone reaches no organisation's record, one scoped to organisations alone no site. */
export function reachesArea(user: Me['user'], reach: Area['reach']): boolean {
  return !reach || user.reach[reach === 'site' ? 'sites' : 'organisations'] !== 'none';
}

/** The areas and pages a user may see (by role, tenant-wide ones only unscoped, and only what they reach), in registry order. */
export function visibleAreas(user: Me['user']): { area: Area; pages: AreaPage[] }[] {
  const can = (p?: Permission) => !p || userCan(user, p);
  return AREAS.filter((a) => can(a.permission) && reachesArea(user, a.reach))
    .map((area) => ({ area, pages: area.pages.filter((p) => can(p.permission)) }))
    .filter((a) => a.pages.length > 0);
}

/** Where two-factor setup lives (users who must enrol are sent there). */
export const TOTP_SETUP_PATH = '/settings/account';

function RequireSession({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <LoadingState />;
  if (state.status !== 'signed-in') {
    const next = location.pathname + location.search;
    return <Navigate to={`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
  }
  if (state.me.mustEnrolTotp && location.pathname !== TOTP_SETUP_PATH) return <Navigate to={TOTP_SETUP_PATH} replace />;
  return <>{children}</>;
}

const OTHER_KIND = { site: 'organisations of the Central Record', organisation: 'sites' } as const;
const THIS_KIND = { site: 'no site, so sign-in has nothing to show you', organisation: 'no organisation, so the Central Record has nothing to show you' } as const;

function RequirePermission({ permission, reach, children }: { permission?: Permission; reach?: Area['reach']; children: ReactNode }) {
  const me = useMe();
  if (!reachesArea(me.user, reach)) {
    return (
      <Alert color="yellow" title="Nothing here for your account" data-testid="out-of-reach">
        Your account is limited to some {OTHER_KIND[reach!]}, and reaches {THIS_KIND[reach!]}. Ask your trust&apos;s central team to add your school&apos;s{' '}
        {reach === 'site' ? 'site' : 'organisation'} to your account if you need it.
      </Alert>
    );
  }
  if (permission && !userCan(me.user, permission)) {
    return me.user.scopes.length > 0 && userCan({ ...me.user, scopes: [] }, permission) ? (
      <Alert color="yellow" title="Not available to your account">
        This page changes the whole organisation, and your account is limited to some sites or organisations. Ask your trust&apos;s central team if you need it.
      </Alert>
    ) : (
      <Alert color="yellow" title="Not available to your role">
        Your role ({me.user.role}) cannot open this page. Ask an owner or admin if you need it.
      </Alert>
    );
  }
  return <>{children}</>;
}

function Lazy({ component: C }: { component: ComponentType }) {
  return (
    <Suspense fallback={<LoadingState />}>
      <C />
    </Suspense>
  );
}

function Home() {
  const me = useMe();
  const first = visibleAreas(me.user)[0];
  return <Navigate to={first ? pagePath(first.area, first.pages[0]!) : TOTP_SETUP_PATH} replace />;
}

function AreaLanding({ area }: { area: Area }) {
  const me = useMe();
  const first = visibleAreas(me.user).find((a) => a.area.id === area.id)?.pages[0];
  return first ? <Navigate to={pagePath(area, first)} replace /> : <RequirePermission permission={area.permission ?? 'tenant.manage'} reach={area.reach}>{null}</RequirePermission>;
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Alert color="gray">There is no page at this address.</Alert>
    </>
  );
}

function areaRoutes(area: Area): RouteObject {
  const children: RouteObject[] = area.pages.map((p) => ({
    ...(p.path ? { path: p.path } : { index: true }),
    element: (
      <RequirePermission permission={p.permission ?? area.permission} reach={area.reach}>
        <Lazy component={p.component} />
      </RequirePermission>
    ),
  }));
  if (!area.pages.some((p) => p.path === '')) children.push({ index: true, element: <AreaLanding area={area} /> });
  return { path: area.path, children };
}

export const routes: RouteObject[] = [
  ...STANDALONE_PAGES.map((p) => ({
    path: p.path,
    element: p.public ? <Lazy component={p.component} /> : <RequireSession><Lazy component={p.component} /></RequireSession>,
  })),
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [{ index: true, element: <Home /> }, ...AREAS.map(areaRoutes), { path: '*', element: <NotFound /> }],
  },
];

export const router = createBrowserRouter(routes);
