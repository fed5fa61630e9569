import { Suspense, type ComponentType, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, useLocation, type RouteObject } from 'react-router';
import { Alert } from '@mantine/core';
import { AREAS, STANDALONE_PAGES, pagePath, type Area, type AreaPage } from './areas';
import { AppLayout } from './layout/AppLayout';
import { LoadingState, PageHeader } from './components/common';
import { userCan, useMe, useSession } from './session';
import type { Permission } from './permissions';
import type { Me } from './api';

/** The areas and pages a user may see (by role, and tenant-wide ones only unscoped), in registry order. */
export function visibleAreas(user: Me['user']): { area: Area; pages: AreaPage[] }[] {
  const can = (p?: Permission) => !p || userCan(user, p);
  return AREAS.filter((a) => can(a.permission))
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

function RequirePermission({ permission, children }: { permission?: Permission; children: ReactNode }) {
  const me = useMe();
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
  return first ? <Navigate to={pagePath(area, first)} replace /> : <RequirePermission permission={area.permission ?? 'tenant.manage'}>{null}</RequirePermission>;
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
      <RequirePermission permission={p.permission ?? area.permission}>
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
