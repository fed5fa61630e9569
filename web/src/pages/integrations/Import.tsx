import { Alert, Anchor, Button, Card, Checkbox, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { ErrorState, FormError, LoadingState, PageHeader } from '../../components/common';
import { useApi } from '../../hooks';
import { RunProgress } from './RunProgress';
import type { GroupLink, Run } from './integrationApi';

/** Import (sign-in → record): a linked profile per member of the chosen linked groups; duplicates go to the merge queue. */
export default function Import() {
  const links = useApi<{ items: GroupLink[] }>('/api/integration/links');
  const runs = useApi<{ items: Run[] }>('/api/integration/runs');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (links.data) setGroupIds(links.data.items.map((l) => l.groupId));
  }, [links.data]);
  useEffect(() => {
    // Coming back to the page shows an import still running.
    const going = runs.data?.items.find((r) => r.kind === 'import' && (r.status === 'running' || r.status === 'queued'));
    if (going && !run) setRun(going);
  }, [runs.data, run]);
  if (links.loading && !links.data) return <LoadingState />;
  if (links.error) return <ErrorState error={links.error} onRetry={links.reload} />;
  const start = async () => {
    setError(null);
    try {
      setRun(await api.post<Run>('/api/integration/import', { groupIds }));
    } catch (err) {
      setError(err);
    }
  };
  const items = links.data!.items;
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
          <FormError error={error} />
          <Button onClick={() => void start()} disabled={groupIds.length === 0 || (run !== null && (run.status === 'running' || run.status === 'queued'))}>
            Start import
          </Button>
          {run ? <RunProgress run={run} onFinished={(r) => (setRun(r), runs.reload())} /> : null}
          {run?.kind === 'import' && run.status === 'done' ? <ImportSummary run={run} /> : null}
          <Text size="xs" c="dimmed">
            You can leave this page: the import goes on in the background and resumes after a restart without creating anyone twice.
          </Text>
        </Stack>
      </Card>
    </>
  );
}

/** What the import did, in words: created, of which queued as probable duplicates, and skipped. */
export function ImportSummary({ run }: { run: Run }) {
  const fresh = run.created - run.queued;
  return (
    <Alert color={run.queued > 0 ? 'yellow' : 'green'} title="Import finished" role="status">
      <Stack gap={4}>
        <Text size="sm">
          {run.created} profile{run.created === 1 ? '' : 's'} created{run.queued > 0 ? `: ${fresh} new, and ${run.queued} probable duplicate${run.queued === 1 ? '' : 's'} of existing profiles, queued for merging` : ''}.
        </Text>
        {run.skipped > 0 ? <Text size="sm">{run.skipped} skipped: already in the Central Record, excluded, or no profile type matched.</Text> : null}
        {run.failed > 0 ? <Text size="sm">{run.failed} failed.</Text> : null}
        {run.queued > 0 ? (
          <Anchor component={Link} to="/integrations/merge" size="sm">
            Review the {run.queued} queued duplicate{run.queued === 1 ? '' : 's'}
          </Anchor>
        ) : null}
      </Stack>
    </Alert>
  );
}
