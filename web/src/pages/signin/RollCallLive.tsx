import { Alert, Badge, Button, Card, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isUnreachable } from '../../api';
import { client, ok } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorState, FormError, LoadingState } from '../../components/common';
import { useCan, useMe } from '../../session';
import { registerOfflineShell, rememberSession } from '../../offline/session';
import { sendKioskQueueFirst } from '../../offline/deviceSignIns';
import { signinKeys } from './queries';
import {
  applyEvent,
  flushTicks,
  forgetOfflineStart,
  isOfflineRollCall,
  loadCached,
  loadOfflineStart,
  loadPending,
  offlineUpload,
  saveCached,
  savePending,
  upsertEntry,
  withPending,
  type PendingTick,
  type RollCallEntry,
  type RollCallEvent,
  type RollCallView,
} from './rollCallLive';
import { compareNames } from '../../../../src/common/name-key';
import { formatDateTime } from '../../format';

/** How often a phone with a roll call started offline tries to send it. */
const SEND_EVERY_MS = 3000;

const EVENT_TYPES = ['entry.added', 'entry.updated', 'roll_call.closed'] as const;


/** Sends one tick; `at` (the time it was made on the phone) for a tick that waited. */
const sendTick = async (rollCallId: string, t: PendingTick, withTime: boolean): Promise<RollCallEntry> =>
  (await ok(client.POST('/api/signin/roll-calls/{id}/entries/{entryId}', { params: { path: { id: rollCallId, entryId: t.entryId } }, body: withTime ? { status: t.status, at: t.at } : { status: t.status } }))).entry;

/** The roll call's view as the server last sent it, fed by the event stream (`setQueryData`); GET only to learn why the stream closed. */
const rollCallQuery = (id: string, cached: RollCallView | undefined) => ({
  queryKey: signinKeys.rollCall(id),
  queryFn: (): Promise<RollCallView> => ok(client.GET('/api/signin/roll-calls/{id}', { params: { path: { id } } })),
  initialData: cached,
  enabled: false,
  staleTime: Infinity,
  retry: false,
});

/**
 * A fire roll call on a marshal's phone: big tick buttons, live from the server's event stream
 * (every device sees every tick), the last list kept on the phone when the network drops, and a
 * print layout that is the evacuation record.
 */
export default function RollCallLivePage() {
  const { id = '' } = useParams();
  // A roll call started offline becomes the server's on reconnect: a new id starts afresh.
  return <RollCallLive key={id} id={id} />;
}

function RollCallLive({ id }: { id: string }) {
  /** Started on this phone with no connection: not on the server yet. */
  const local = isOfflineRollCall(id);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canMark = useCan('signin.operate');
  const [cached] = useState(() => loadCached(id));
  const rollCall = useQuery(rollCallQuery(id, cached?.view));
  const view = rollCall.data ?? null;
  const [online, setOnline] = useState(false);
  const [savedAt, setSavedAt] = useState<string | null>(cached?.savedAt ?? null);
  const [filter, setFilter] = useState<'unaccounted' | 'all'>('unaccounted');
  const [pending, setPending] = useState<PendingTick[]>(() => loadPending(id));
  const me = useMe();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  // This phone works offline from now on: the shell is cached and the session remembered.
  useEffect(() => {
    registerOfflineShell();
    rememberSession(me);
  }, [me]);

  /** A change to the view: into the query cache, and kept on the phone for when the network drops. */
  const update = useCallback(
    (fn: (v: RollCallView) => RollCallView) => {
      const current = queryClient.getQueryData<RollCallView>(signinKeys.rollCall(id));
      if (!current) return;
      const next = fn(current);
      queryClient.setQueryData(signinKeys.rollCall(id), next);
      saveCached(next);
      setSavedAt(new Date().toISOString());
    },
    [queryClient, id],
  );
  /** The roll call list's counts change with every tick. */
  const listChanged = useCallback(() => void queryClient.invalidateQueries({ queryKey: signinKeys.rollCalls, exact: true }), [queryClient]);

  // A roll call started on this phone: sent (start time and ticks) as soon as the server answers,
  // tried every few seconds while this page is open; the server creates it or merges it into one
  // started online meanwhile, and the phone moves there.
  const upload = useMutation({
    networkMode: 'always',
    mutationFn: async () => {
      const start = loadOfflineStart(id);
      if (!start) return null;
      // A device that is also a paired kiosk sends its own offline sign-ins first (ticks on them go by member).
      await sendKioskQueueFirst();
      const res = await ok(client.POST('/api/signin/sites/{siteId}/roll-calls/offline', { params: { path: { siteId: start.siteId } }, body: offlineUpload(start, loadPending(id), loadCached(id)?.view.entries) }));
      forgetOfflineStart(id);
      saveCached({ rollCall: res.rollCall, entries: res.entries });
      return res;
    },
    retry: () => mounted.current,
    retryDelay: SEND_EVERY_MS,
    onSuccess: (res) => {
      listChanged();
      if (res && mounted.current) void navigate(`/signin/roll-calls/${res.rollCall.id}`, { replace: true });
    },
  });
  const { mutate: sendUpload } = upload;
  const uploading = useRef(false);
  useEffect(() => {
    // Once per page (the mutation retries by itself), also when development mounts effects twice.
    if (!local || uploading.current) return;
    uploading.current = true;
    sendUpload();
  }, [local, sendUpload]);

  useEffect(() => {
    if (local) return;
    const source = new EventSource(`/api/signin/roll-calls/${id}/events`);
    source.onopen = () => setOnline(true);
    source.onerror = () => {
      setOnline(false);
      // 401/404 close the stream for good; the GET says why.
      if (source.readyState === EventSource.CLOSED) void queryClient.fetchQuery(rollCallQuery(id, undefined)).catch(() => undefined);
    };
    source.addEventListener('snapshot', (e) => {
      const snap = JSON.parse((e as MessageEvent<string>).data) as RollCallView;
      queryClient.setQueryData(signinKeys.rollCall(id), snap);
      saveCached(snap);
      setSavedAt(new Date().toISOString());
      setOnline(true);
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (e) => {
        const event = JSON.parse((e as MessageEvent<string>).data) as RollCallEvent;
        update((v) => applyEvent(v, event));
      });
    }
    // The device knows it lost the network before the stream notices.
    const offline = () => setOnline(false);
    const backOnline = () => setOnline(source.readyState === EventSource.OPEN);
    window.addEventListener('offline', offline);
    window.addEventListener('online', backOnline);
    return () => {
      source.close();
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', backOnline);
    };
  }, [id, local, update, queryClient]);

  /** Kept on the phone (with the time it was made) until the server has it. */
  const keep = (t: PendingTick) => {
    const next = [...loadPending(id), t];
    savePending(id, next);
    setPending(next);
  };
  const mark = useMutation({
    networkMode: 'always',
    mutationFn: async ({ entry, status }: { entry: RollCallEntry; status: 'safe' | 'unaccounted' }) => {
      const tick: PendingTick = { key: crypto.randomUUID(), entryId: entry.id, status, at: new Date().toISOString() };
      if (!online) return keep(tick);
      try {
        const saved = await sendTick(id, tick, false);
        update((v) => upsertEntry(v, saved));
        listChanged();
      } catch (err) {
        if (isUnreachable(err)) keep(tick);
        else throw err;
      }
    },
  });

  // Back online: the ticks made meanwhile go in order, merged by the server with everyone else's.
  const flush = useMutation({
    networkMode: 'always',
    mutationFn: async (list: PendingTick[]) => {
      const r = await flushTicks(list, (t) => sendTick(id, t, true), isUnreachable);
      // Answered (or dropped) ticks leave; ticks made meanwhile (here or in another tab) stay.
      const answered = new Set(list.slice(0, list.length - r.remaining.length).map((t) => t.key));
      const left = loadPending(id).filter((t) => !answered.has(t.key));
      savePending(id, left);
      setPending(left);
      for (const e of r.entries) update((v) => upsertEntry(v, e));
      if (r.entries.length) listChanged();
      // A tick the server refused (the roll call closed meanwhile) is reported.
      if (r.dropped.length) throw r.dropped[0]!.error;
    },
  });
  const { mutate: sendPending } = flush;
  useEffect(() => {
    if (!online) return;
    const list = loadPending(id);
    // Another tab of this phone may have sent them already.
    if (list.length === 0) return setPending([]);
    sendPending(list);
  }, [online, id, sendPending]);

  const close = useMutation({
    mutationFn: () => ok(client.POST('/api/signin/roll-calls/{id}/close', { params: { path: { id } } })),
    onSuccess: (res) => {
      update(() => res);
      listChanged();
    },
  });
  const uploadProblem = upload.error ?? (isUnreachable(upload.failureReason) ? null : upload.failureReason);
  const error = mark.error ?? flush.error ?? uploadProblem;

  // The server's list with this phone's waiting ticks over it.
  const merged = useMemo(() => (view ? withPending(view, pending) : null), [view, pending]);
  const shown = useMemo(() => {
    if (!merged) return [];
    const list = filter === 'all' ? merged.entries : merged.entries.filter((e) => e.status === 'unaccounted');
    return [...list].sort((a, b) => compareNames(a.groupName, b.groupName) || compareNames(a.personName, b.personName));
  }, [merged, filter]);

  if (!merged) {
    if (rollCall.error) return <ErrorState error={rollCall.error} />;
    return <LoadingState label="Loading the roll call…" />;
  }
  const rc = merged.rollCall;
  const open = rc.status === 'open';
  // Every time on the page on the site's clock, as its marshals and the evacuation record read it.
  const zone = rc.timezone;

  return (
    <Stack gap="md" className="roll-call">
      <style>{PRINT_CSS}</style>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={2}>
          <Title order={1} size="h2">
            Fire roll call: {rc.siteName}
          </Title>
          <Text size="sm" c="dimmed">
            Started {formatDateTime(rc.startedAt, zone)} by {rc.startedBy}
            {rc.closedAt ? ` · closed ${formatDateTime(rc.closedAt, zone)} by ${rc.closedBy ?? ''}` : ''}
          </Text>
        </Stack>
        <Badge size="lg" color={open ? 'red' : 'gray'}>
          {open ? 'In progress' : 'Closed'}
        </Badge>
      </Group>

      {local ? (
        <Alert color="yellow" title="Started offline on this phone" className="no-print" role="status">
          From this phone’s last list of who is on site. Ticks are kept here; the roll call and its ticks are sent when the connection is back, and merged with one
          started meanwhile by someone else.
        </Alert>
      ) : null}
      {!online && open && !local ? (
        <Alert color="yellow" title="Offline: showing the last list" className="no-print" role="status">
          Reconnecting… {savedAt ? `Last updated ${formatDateTime(savedAt, zone)}.` : ''} Ticks made now are kept on this phone and sent when the connection is back.
        </Alert>
      ) : null}
      {pending.length > 0 ? (
        <Text size="sm" c="orange.8" className="no-print" data-testid="ticks-waiting">
          {pending.length} {pending.length === 1 ? 'tick' : 'ticks'} waiting to be sent
        </Text>
      ) : null}

      <Group grow gap="sm" aria-live="polite">
        <Card withBorder padding="sm" bg="teal.0">
          <Text size="xs" c="dimmed">
            Safe
          </Text>
          <Text fw={700} size="xl" data-testid="count-safe">
            {rc.safe}
          </Text>
        </Card>
        <Card withBorder padding="sm" bg={rc.unaccounted > 0 ? 'red.0' : undefined}>
          <Text size="xs" c="dimmed">
            Unaccounted
          </Text>
          <Text fw={700} size="xl" data-testid="count-unaccounted">
            {rc.unaccounted}
          </Text>
        </Card>
        <Card withBorder padding="sm">
          <Text size="xs" c="dimmed">
            On the list
          </Text>
          <Text fw={700} size="xl">
            {rc.total}
          </Text>
        </Card>
      </Group>

      <FormError error={error} />

      <Group justify="space-between" className="no-print" wrap="wrap">
        <SegmentedControl
          value={filter}
          onChange={(v) => setFilter(v as 'unaccounted' | 'all')}
          data={[
            { value: 'unaccounted', label: `Unaccounted (${rc.unaccounted})` },
            { value: 'all', label: `Everyone (${rc.total})` },
          ]}
          aria-label="Show"
        />
        <Group gap="xs">
          <Button variant="default" onClick={() => window.print()}>
            Print / save as PDF
          </Button>
          {open && canMark && !local ? (
            <ConfirmButton
              color="red"
              variant="light"
              title="Close the roll call?"
              message={`${rc.unaccounted} people are still unaccounted for. The roll call is kept as the evacuation record.`}
              confirmLabel="Close roll call"
              onConfirm={() => close.mutateAsync()}
            >
              Close roll call
            </ConfirmButton>
          ) : null}
        </Group>
      </Group>

      <Stack gap="xs" className="no-print" role="list" aria-label="People">
        {shown.length === 0 ? <Text c="dimmed">{filter === 'unaccounted' ? 'Everyone is accounted for.' : 'Nobody was on site.'}</Text> : null}
        {shown.map((e) => (
          <Card key={e.id} withBorder padding="sm" role="listitem" aria-label={e.personName} style={{ borderLeft: `6px solid ${e.groupColour}` }}>
            <Group justify="space-between" wrap="nowrap" gap="sm">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Text fw={600} size="lg" style={{ overflowWrap: 'anywhere' }}>
                  {e.personName}
                </Text>
                <Text size="sm" c="dimmed">
                  {e.groupName}
                  {e.joinedDuring ? ' · arrived during the roll call' : ''}
                  {e.signedOutAt ? ' · signed out' : ''}
                </Text>
              </Stack>
              {canMark && open ? (
                e.status === 'safe' ? (
                  <Button size="lg" color="teal" miw={120} onClick={() => mark.mutate({ entry: e, status: 'unaccounted' })} aria-label={`Undo safe for ${e.personName}`} aria-pressed="true">
                    ✓ Safe
                  </Button>
                ) : (
                  <Button size="lg" variant="outline" color="red" miw={120} onClick={() => mark.mutate({ entry: e, status: 'safe' })} aria-label={`Mark safe: ${e.personName}`}>
                    Mark safe
                  </Button>
                )
              ) : (
                <Badge size="lg" color={e.status === 'safe' ? 'teal' : 'red'}>
                  {e.status === 'safe' ? 'Safe' : 'Unaccounted'}
                </Badge>
              )}
            </Group>
          </Card>
        ))}
      </Stack>

      <table className="print-only roll-call-print">
        <thead>
          <tr>
            <th>Name</th>
            <th>Group</th>
            <th>Signed in</th>
            <th>Status</th>
            <th>Marked</th>
          </tr>
        </thead>
        <tbody>
          {[...merged.entries]
            .sort((a, b) => compareNames(a.groupName, b.groupName) || compareNames(a.personName, b.personName))
            .map((e) => (
              <tr key={e.id}>
                <td>{e.personName}</td>
                <td>{e.groupName}</td>
                <td>{formatDateTime(e.signedInAt, zone)}</td>
                <td>{e.status === 'safe' ? 'Safe' : 'UNACCOUNTED'}</td>
                <td>{e.markedAt ? `${formatDateTime(e.markedAt, zone)} ${e.markedBy ?? ''}` : ''}</td>
              </tr>
            ))}
        </tbody>
      </table>

      <Text size="sm" className="no-print">
        <Link to="/signin/roll-calls">All roll calls</Link>
      </Text>
    </Stack>
  );
}

const PRINT_CSS = `
.print-only { display: none; }
@media print {
  nav, header, aside, .no-print, .mantine-AppShell-navbar, .mantine-AppShell-header { display: none !important; }
  .mantine-AppShell-main { padding: 0 !important; }
  .print-only { display: table; }
  .roll-call-print { width: 100%; border-collapse: collapse; font-size: 11pt; }
  .roll-call-print th, .roll-call-print td { border: 1px solid #999; padding: 4px 6px; text-align: left; }
}
`;
