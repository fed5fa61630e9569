import { Alert, Group, Progress, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { KIND_LABELS, type Run } from './integrationApi';
import { runQuery } from './queries';

/**
 * A run's live progress bar: polls the run until it is done or failed, then calls `onFinished`
 * once. The run goes on in the background when the page is left; coming back shows where it is.
 */
export function RunProgress({ run: initial, onFinished }: { run: Run; onFinished?: (run: Run) => void }) {
  const { data } = useQuery({ ...runQuery(initial.id), initialData: initial, initialDataUpdatedAt: 0 });
  const run = data;
  const reported = useRef(initial.status === 'done' || initial.status === 'failed');
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;
  useEffect(() => {
    if (reported.current || (run.status !== 'done' && run.status !== 'failed')) return;
    reported.current = true;
    onFinishedRef.current?.(run);
  }, [run]);
  const label = KIND_LABELS[run.kind];
  const colour = run.status === 'failed' ? 'red' : run.status === 'done' ? 'green' : 'blue';
  return (
    <Stack gap={4} aria-label={`${label} progress`} data-run-status={run.status}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {label}: {run.status === 'queued' ? 'waiting to start' : run.status === 'running' ? 'running' : run.status}
        </Text>
        <Text size="sm" c="dimmed">
          {run.done} of {run.total} ({run.percent}%)
        </Text>
      </Group>
      <Progress value={run.percent} color={colour} animated={run.status === 'running' || run.status === 'queued'} aria-label={`${label} ${run.percent}%`} />
      <Text size="xs" c="dimmed" role="status">
        Created {run.created}
        {run.queued > 0 ? ` (${run.queued} queued as probable duplicates)` : ''} · updated {run.updated} · skipped {run.skipped} · failed {run.failed}
      </Text>
      {run.error ? (
        <Alert color="red" title="The run stopped">
          {run.error} (it is retried automatically)
        </Alert>
      ) : null}
    </Stack>
  );
}
