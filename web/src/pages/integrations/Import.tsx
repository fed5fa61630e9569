import { Alert, Button, Card, Checkbox, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok } from '../../api/client';
import { AppLink, FormError, PageHeader } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { RunProgress } from './RunProgress';
import type { GroupLink, Run } from './integrationApi';
import { integrationKeys, linksQuery, runsQuery } from './queries';

/** Import (sign-in → record): a linked profile per member of the chosen linked groups; duplicates go to the merge queue. */
export default function Import() {
  const links = useQuery(linksQuery());
  const runs = useQuery(runsQuery());
  return (
    <QueryState query={links}>
      {(l) => <QueryState query={runs}>{(r) => <ImportForm items={l.items} going={r.items.find((x) => x.kind === 'import' && (x.status === 'running' || x.status === 'queued')) ?? null} />}</QueryState>}
    </QueryState>
  );
}

/** `going`: an import still running when the page opened (coming back shows it). */
function ImportForm({ items, going }: { items: GroupLink[]; going: Run | null }) {
  const queryClient = useQueryClient();
  const [groupIds, setGroupIds] = useState<string[]>(() => items.map((l) => l.groupId));
  const [run, setRun] = useState<Run | null>(going);
  const start = useMutation({ mutationFn: () => ok(client.POST('/api/integration/import', { body: { groupIds } })), onSuccess: setRun });
  const finished = (r: Run) => {
    setRun(r);
    return queryClient.invalidateQueries({ queryKey: integrationKeys.runs });
  };
  return (
    <>
      <PageHeader title="Import into the Central Record" description="Creates a linked profile for each member of the chosen groups, with the profile type from the type map. A member who looks like an existing profile (same email, name and date of birth, or Wonde id) still gets a profile, and the pair goes to the duplicates queue to be merged: do not delete those duplicates." />
      <Card withBorder maw={640}>
        <Stack>
          {items.length === 0 ? (
            <Text c="dimmed">No group is linked yet: link a group from its Integrations page first.</Text>
          ) : (
            <Checkbox.Group label="Linked groups to import" value={groupIds} onChange={setGroupIds}>
              <Stack gap={4} mt={6}>
                {items.map((l) => (
                  <Checkbox key={l.groupId} value={l.groupId} label={`${l.groupName} → ${l.organisationName}`} />
                ))}
              </Stack>
            </Checkbox.Group>
          )}
          <FormError error={start.error} />
          <Button loading={start.isPending} onClick={() => start.mutate()} disabled={groupIds.length === 0 || (run !== null && (run.status === 'running' || run.status === 'queued'))}>
            Start import
          </Button>
          {run ? <RunProgress run={run} onFinished={(r) => void finished(r)} /> : null}
          {run?.kind === 'import' && run.status === 'done' ? <ImportSummary run={run} /> : null}
          <Text size="xs" c="dimmed">
            You can leave this page: the import goes on in the background and resumes after a restart without creating anyone twice.
          </Text>
        </Stack>
      </Card>
    </>
  );
}

const SKIPPED_BECAUSE: Array<[keyof NonNullable<Run['skippedBy']>, string]> = [
  ['no_profile_type', 'matched no profile type'],
  ['already_linked', 'already in the Central Record'],
  ['excluded', 'excluded (their profile was deleted)'],
  ['group_archived', 'in a group since archived'],
];

/** "4 skipped: 2 matched no profile type, 2 already in the Central Record", each reason with its count (all reasons named when a run has no counts per reason). */
export function skippedInWords(run: Pick<Run, 'skipped' | 'skippedBy'>): string {
  const by = run.skippedBy;
  if (!by) return `${run.skipped} skipped: already in the Central Record, excluded, or no profile type matched.`;
  const parts = SKIPPED_BECAUSE.filter(([k]) => by[k] > 0).map(([k, words]) => `${by[k]} ${words}`);
  const counted = SKIPPED_BECAUSE.reduce((n, [k]) => n + by[k], 0);
  if (run.skipped > counted) parts.push(`${run.skipped - counted} for a reason not recorded`);
  return `${run.skipped} skipped: ${parts.join(', ')}.`;
}

/** What the import did, in words: created, of which queued as probable duplicates, and skipped (per reason). */
export function ImportSummary({ run }: { run: Run }) {
  const fresh = run.created - run.queued;
  return (
    <Alert color={run.queued > 0 ? 'yellow' : 'green'} title="Import finished" role="status">
      <Stack gap={4}>
        <Text size="sm">
          {run.created} profile{run.created === 1 ? '' : 's'} created{run.queued > 0 ? `: ${fresh} new, and ${run.queued} probable duplicate${run.queued === 1 ? '' : 's'} of existing profiles, queued for merging` : ''}.
        </Text>
        {run.skipped > 0 ? <Text size="sm">{skippedInWords(run)}</Text> : null}
        {run.skipped > 0 && (!run.skippedBy || run.skippedBy.no_profile_type > 0) ? (
          // The usual first-import surprise: a linked group that is not a staff group needs a rule in the type map.
          <AppLink to="/integrations/type-map" size="sm">
            See who matches no profile type (Profile type map › Preview)
          </AppLink>
        ) : null}
        {run.failed > 0 ? <Text size="sm">{run.failed} failed.</Text> : null}
        {run.queued > 0 ? (
          <AppLink to="/integrations/merge" size="sm">
            Review the {run.queued} queued duplicate{run.queued === 1 ? '' : 's'}
          </AppLink>
        ) : null}
      </Stack>
    </Alert>
  );
}
