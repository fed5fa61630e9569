import { AppShell, Burger, Group, NavLink, ScrollArea, Text, Menu, UnstyledButton, Avatar, Divider } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { currentNavPath } from './nav';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useEffect, useState } from 'react';
import { pagePath } from '../areas';
import { visibleAreas } from '../router';
import { useMe, useSession } from '../session';
import { NotificationBell } from './NotificationBell';

/** The signed-in shell: header (burger on phones, bell, account menu) and the area navigation. */
export function AppLayout() {
  const me = useMe();
  const { signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  useEffect(() => close(), [location.pathname, close]);
  const areas = visibleAreas(me.user);
  const inArea = (path: string) => location.pathname === path || location.pathname.startsWith(`${path}/`);
  // The area of the page shown is always opened, also when it was reached after the navigation was
  // drawn (the landing page after sign-in, a link in a page); others stay as the user left them.
  const activeArea = areas.find(({ area }) => inArea(area.path))?.area.id;
  const [openAreas, setOpenAreas] = useState<ReadonlySet<string>>(() => new Set(activeArea ? [activeArea] : []));
  const [openedFor, setOpenedFor] = useState(activeArea);
  if (activeArea !== openedFor) {
    setOpenedFor(activeArea);
    if (activeArea && !openAreas.has(activeArea)) setOpenAreas(new Set([...openAreas, activeArea]));
  }
  const toggleArea = (id: string, open: boolean) =>
    setOpenAreas((s) => {
      const next = new Set(s);
      if (open) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} aria-expanded={opened} aria-controls="main-navigation" />
            <Text component={Link} to="/" fw={700} size="lg" c="indigo.7" style={{ textDecoration: 'none' }}>
              Threshold
            </Text>
            <Text size="sm" c="dimmed" truncate visibleFrom="xs" data-testid="tenant-name">
              {me.tenant.name}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NotificationBell />
            <Menu position="bottom-end" withArrow>
              <Menu.Target>
                <UnstyledButton aria-label={`Account menu for ${me.user.name || me.user.email}`}>
                  <Avatar color="indigo" variant="filled" radius="xl" size={34} aria-hidden="true" />
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>
                  {me.user.name || me.user.email}
                  <br />
                  {me.user.role}
                </Menu.Label>
                <Menu.Item onClick={() => navigate('/settings/account')}>My account</Menu.Item>
                <Menu.Divider />
                <Menu.Item color="red" onClick={() => void signOut().then(() => navigate('/login'))}>
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" id="main-navigation" aria-label="Main navigation" component="nav">
        <AppShell.Section grow component={ScrollArea}>
          <Text size="xs" c="dimmed" px="sm" pb="xs" hiddenFrom="xs">
            {me.tenant.name}
          </Text>
          {areas.map(({ area, pages }) => {
            const active = inArea(area.path);
            const navPages = pages.filter((p) => p.label !== null);
            if (navPages.length <= 1) {
              const only = navPages[0] ?? pages[0]!;
              return (
                <NavLink key={area.id} component={Link} to={pagePath(area, only)} label={area.label} leftSection={area.icon} active={active} aria-current={active ? 'page' : undefined} />
              );
            }
            const current = currentNavPath(
              navPages.map((p) => pagePath(area, p)),
              location.pathname,
            );
            return (
              // A button (Mantine draws an <a> without href: not reachable by Tab, no role), saying whether it is open.
              <NavLink
                key={area.id}
                component="button"
                type="button"
                aria-expanded={openAreas.has(area.id)}
                label={area.label}
                leftSection={area.icon}
                opened={openAreas.has(area.id)}
                onChange={(open) => toggleArea(area.id, open)}
                childrenOffset={28}
              >
                {navPages.map((p) => {
                  const to = pagePath(area, p);
                  const here = to === current;
                  return <NavLink key={to} component={Link} to={to} label={p.label} active={here} aria-current={here ? 'page' : undefined} />;
                })}
              </NavLink>
            );
          })}
        </AppShell.Section>
        <AppShell.Section>
          <Divider my="xs" />
          <NavLink
            component="button"
            label="Sign out"
            onClick={() => void signOut().then(() => navigate('/login'))}
            description={me.user.email}
          />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main>
        <div style={{ maxWidth: 1100 }}>
          <Outlet />
        </div>
      </AppShell.Main>
    </AppShell>
  );
}

