import { Badge, Group, NativeSelect, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { organisationsQuery } from './queries';
import type { Rating } from './recordApi';

/** Choose one organisation or the whole trust. */
export function OrganisationPicker({ value, onChange, allowAll = true, label = 'Organisation', error }: { value: string; onChange: (id: string) => void; allowAll?: boolean; label?: string; error?: unknown }) {
  const orgs = useQuery(organisationsQuery());
  const data = [...(allowAll ? [{ value: '', label: 'Whole trust (all organisations)' }] : [{ value: '', label: 'Choose…' }]), ...(orgs.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))];
  return <NativeSelect label={label} data={data} value={value} onChange={(e) => onChange(e.currentTarget.value)} w={280} error={typeof error === 'string' ? error : undefined} />;
}

/** One badge per rating system: its colour, ready or not, the reasons on hover. */
export function RatingBadges({ ratings }: { ratings: Rating[] }) {
  return (
    <Group gap={4}>
      {ratings.map((r) => (
        <Tooltip key={r.systemId} label={r.ready ? `${r.name}: ready` : r.problems.map((p) => p.message).join(' · ')} multiline w={320} withArrow>
          <Badge color={r.colour} variant={r.ready ? 'filled' : 'outline'} styles={r.ready ? undefined : { label: { color: 'var(--mantine-color-text)' } }} data-testid={`rating-${r.key}`} aria-label={`${r.name}: ${r.ready ? 'ready' : 'not ready'}`}>
            {r.name}: {r.ready ? 'ready' : 'not ready'}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}
