import { Alert, Group, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { KIND_LABELS, type Run } from './integrationApi';

/**
 * A run's live progress bar: polls the run until it is done or failed, then calls `onFinished`.
 * The run goes on in the background when the page is left; coming back shows where it is.
 */
export function RunProgress({ run: initial, onFinished }: { run: Run; onFinished?: (run: Run) => void }) {
  const [run, setRun] = useState<Run>(initial);
  useEffect(() => {
    setRun(initial);
    if (initial.status === 'done' || initial.status === 'failed') return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await api.get<Run>(`/api/integration/runs/${initial.id}`);
        if (!live) return;
        setRun(r);
        if (r.status === 'done' || r.status === 'failed') {
          onFinished?.(r);
          return;
        }
      } catch {
        // a network blip: try again on the next tick
      }
      if (live) timer = setTimeout(poll, 700);
    };
    timer = setTimeout(poll, 300);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initial.id]);
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
