import { Card, Checkbox, ColorInput, Group, NativeSelect, Stack, Switch, TextInput } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { client, ok, type Answer, type Body } from '../../api/client';
import { FormError } from '../../components/common';
import { QueryState } from '../../components/QueryState';
import { checksQuery, profileTypesQuery, ratingSystemsQuery, useRecordSettingsChanged } from './queries';

type RatingSystem = Answer<'/api/record/rating-systems'>['items'][number];
type RatingSystemPatch = Body<'/api/record/rating-systems/{id}', 'patch'>;
type Rule = RatingSystem['rules'][string]['require'];
type ProfileType = Answer<'/api/record/profile-types'>['items'][number];
type Check = Answer<'/api/record/checks'>['items'][number];

/** Rating systems: name, colours, what each requires (per profile type: as above, statutory, all, or named checks); each change saved as made. */
export function SetupRatingSystems() {
  const list = useQuery(ratingSystemsQuery());
  const types = useQuery(profileTypesQuery());
  const checks = useQuery(checksQuery());
  return (
    <QueryState query={list} empty="No rating systems yet: they start with the first organisation.">
      {(data) => (
        <Stack>
          {data.items.map((s) => (
            <RatingSystemCard key={s.id} s={s} types={(types.data?.items ?? []).filter((t) => !t.retired)} checks={checks.data?.items ?? []} />
          ))}
        </Stack>
      )}
    </QueryState>
  );
}

function RatingSystemCard({ s, types, checks }: { s: RatingSystem; types: ProfileType[]; checks: Check[] }) {
  const changed = useRecordSettingsChanged();
  const patch = useMutation({ mutationFn: (body: RatingSystemPatch) => ok(client.PATCH('/api/record/rating-systems/{id}', { params: { path: { id: s.id } }, body })), onSuccess: changed });
  /** The profile type whose rule is being switched to named checks (saved once one is ticked). */
  const [naming, setNaming] = useState<string | null>(null);
  const setRule = (typeKey: string, require: Rule | '') => {
    const rules = { ...s.rules };
    if (require === '') delete rules[typeKey];
    else rules[typeKey] = { require };
    patch.mutate({ rules });
  };
  const checksFor = (typeKey: string) => checks.filter((c) => c.enabled && (c.appliesTo.length === 0 || c.appliesTo.includes(typeKey)));
  return (
    <Card withBorder aria-label={s.name} component="section">
      <FormError error={patch.error} />
      <Group align="flex-end">
        {/* Keyed by the saved values: after a save (or a refused one) the fields start afresh from the server. */}
        <TextInput key={`n${s.name}`} label="Name" defaultValue={s.name} onBlur={(e) => e.currentTarget.value !== s.name && patch.mutate({ name: e.currentTarget.value })} />
        <ColorInput key={`r${s.readyColour}`} label="Ready colour" defaultValue={s.readyColour} onChangeEnd={(v) => patch.mutate({ readyColour: v })} w={140} />
        <ColorInput key={`x${s.notReadyColour}`} label="Not ready colour" defaultValue={s.notReadyColour} onChangeEnd={(v) => patch.mutate({ notReadyColour: v })} w={140} />
        <NativeSelect
          label="Requires"
          data={[
            { value: 'statutory', label: 'Statutory checks' },
            { value: 'all', label: 'Statutory and recommended' },
          ]}
          value={s.defaultRequire}
          onChange={(e) => patch.mutate({ defaultRequire: e.currentTarget.value === 'all' ? 'all' : 'statutory' })}
        />
        <Switch label="Enabled" checked={s.enabled} disabled={s.mandatory} description={s.mandatory ? 'Mandatory systems stay on' : undefined} onChange={(e) => patch.mutate({ enabled: e.currentTarget.checked })} />
        <Switch label="Mandatory" description="Every profile must meet it" checked={s.mandatory} onChange={(e) => patch.mutate({ mandatory: e.currentTarget.checked })} />
      </Group>
      <Group gap="xs" mt="sm" align="flex-end">
        {types.map((t) => {
          const rule = s.rules[t.key]?.require;
          return (
            <NativeSelect
              key={t.key}
              size="xs"
              label={t.name}
              aria-label={`${s.name} rule for ${t.name}`}
              value={naming === t.key || Array.isArray(rule) ? 'list' : (rule ?? '')}
              onChange={(e) => {
                const v = e.currentTarget.value;
                if (v === 'list') return setNaming(t.key);
                setNaming(null);
                setRule(t.key, v === 'statutory' || v === 'all' ? v : '');
              }}
              data={[
                { value: '', label: 'As above' },
                { value: 'statutory', label: 'Statutory' },
                { value: 'all', label: 'All checks' },
                { value: 'list', label: Array.isArray(rule) ? `${rule.length} named checks` : 'Named checks…' },
              ]}
            />
          );
        })}
      </Group>
      {types
        .filter((t) => naming === t.key || Array.isArray(s.rules[t.key]?.require))
        .map((t) => {
          const rule = s.rules[t.key]?.require;
          return (
            <Checkbox.Group key={t.key} mt="sm" label={`${t.name}: checks ${s.name} requires`} value={Array.isArray(rule) ? rule : []} onChange={(keys) => setRule(t.key, keys.length ? keys : '')}>
              <Group gap="xs" mt={4}>
                {checksFor(t.key).map((c) => (
                  <Checkbox key={c.key} size="xs" value={c.key} label={c.name} />
                ))}
              </Group>
            </Checkbox.Group>
          );
        })}
    </Card>
  );
}
