import { ActionIcon, Button, Group, NumberInput, Paper, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import type { Condition, ConditionGroup, FieldInfo, Operator } from './recordApi';
import { OPERATOR_LABELS, OPERATORS_BY_KIND } from '../../../../src/common/condition-operators';

const OPS = OPERATOR_LABELS;
/** The operators each kind of field offers: the server's (src/common), and for a pick list (groups, organisations) equality and presence. */
const BY_KIND: Record<FieldInfo['kind'], readonly Operator[]> = {
  pick: ['equals', 'not_equals', 'is_empty', 'is_not_empty'],
  ...OPERATORS_BY_KIND,
};

const isGroup = (c: Condition | ConditionGroup): c is ConditionGroup => 'op' in c;

/** The visual "logic editor": AND/OR groups of field · operator · value, nested one level deeper on demand. */
export function ConditionBuilder({ value, onChange, fields, depth = 0 }: { value: ConditionGroup; onChange: (g: ConditionGroup) => void; fields: FieldInfo[]; depth?: number }) {
  const set = (i: number, c: Condition | ConditionGroup | null) => {
    const conditions = [...value.conditions];
    if (c === null) conditions.splice(i, 1);
    else conditions[i] = c;
    onChange({ ...value, conditions });
  };
  const first = fields[0];
  return (
    <Paper withBorder p="sm" radius="sm" bg={depth ? 'gray.0' : undefined} aria-label={depth ? 'Condition group' : 'Condition'} role="group">
      <Stack gap="xs">
        <Group gap="xs">
          <Text size="sm">Match</Text>
          <SegmentedControl size="xs" value={value.op} onChange={(op) => onChange({ ...value, op: op as 'and' | 'or' })} data={[{ value: 'and', label: 'all (AND)' }, { value: 'or', label: 'any (OR)' }]} aria-label="Match all or any" />
        </Group>
        {value.conditions.map((c, i) =>
          isGroup(c) ? (
            <Group key={i} align="flex-start" wrap="nowrap">
              <ConditionBuilder value={c} onChange={(g) => set(i, g)} fields={fields} depth={depth + 1} />
              <ActionIcon variant="subtle" color="red" aria-label="Remove group" onClick={() => set(i, null)}>
                ×
              </ActionIcon>
            </Group>
          ) : (
            <Row key={i} c={c} fields={fields} onChange={(x) => set(i, x)} index={i} />
          ),
        )}
        <Group gap="xs">
          <Button size="xs" variant="light" disabled={!first} onClick={() => onChange({ ...value, conditions: [...value.conditions, { field: first!.field, operator: BY_KIND[first!.kind][0]!, value: '' }] })}>
            Add condition
          </Button>
          {depth === 0 ? (
            <Button size="xs" variant="subtle" onClick={() => onChange({ ...value, conditions: [...value.conditions, { op: value.op === 'and' ? 'or' : 'and', conditions: [] }] })}>
              Add group
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Paper>
  );
}

function Row({ c, fields, onChange, index }: { c: Condition; fields: FieldInfo[]; onChange: (c: Condition | null) => void; index: number }) {
  const f = fields.find((x) => x.field === c.field);
  const ops = BY_KIND[f?.kind ?? 'text'];
  const needsValue = !['is_empty', 'is_not_empty'].includes(c.operator);
  const period = c.operator === 'within_last' || c.operator === 'more_than_ago';
  const p = typeof c.value === 'object' ? c.value : { n: 1, unit: 'years' as const };
  return (
    <Group gap="xs" wrap="wrap" align="flex-end">
      <Select
        size="xs"
        label={`Field ${index + 1}`}
        searchable
        data={fields.map((x) => ({ value: x.field, label: x.label }))}
        value={c.field}
        onChange={(field) => {
          const nf = fields.find((x) => x.field === field);
          if (nf) onChange({ field: nf.field, operator: BY_KIND[nf.kind][0]!, value: '' });
        }}
        w={220}
      />
      <Select size="xs" label={`Operator ${index + 1}`} data={ops.map((o) => ({ value: o, label: OPS[o] }))} value={c.operator} onChange={(picked) => {
        const operator = ops.find((o) => o === picked);
        if (operator) onChange({ field: c.field, operator, value: operator === 'within_last' || operator === 'more_than_ago' ? { n: 1, unit: 'years' } : '' });
      }} w={170} />
      {needsValue && period ? (
        <>
          <NumberInput size="xs" label={`Number ${index + 1}`} min={0} value={p.n} onChange={(n) => onChange({ ...c, value: { ...p, n: Number(n) || 0 } })} w={80} />
          <Select size="xs" label={`Unit ${index + 1}`} data={['days', 'months', 'years']} value={p.unit} onChange={(unit) => onChange({ ...c, value: { ...p, unit: (unit ?? 'years') as 'days' } })} w={100} />
        </>
      ) : needsValue && f?.kind === 'pick' ? (
        <Select size="xs" label={`Value ${index + 1}`} searchable data={f.options} value={typeof c.value === 'string' && c.value ? c.value : null} onChange={(v) => onChange({ ...c, value: v ?? '' })} w={220} />
      ) : needsValue && (f?.kind === 'yesno' || (f?.kind === 'choice' && f.options.length)) ? (
        <Select size="xs" label={`Value ${index + 1}`} data={f.kind === 'yesno' ? ['yes', 'no'] : f.options} value={typeof c.value === 'string' ? c.value : null} onChange={(v) => onChange({ ...c, value: v ?? '' })} w={160} />
      ) : needsValue ? (
        <TextInput size="xs" label={`Value ${index + 1}`} type={f?.kind === 'date' ? 'date' : 'text'} value={typeof c.value === 'string' ? c.value : ''} onChange={(e) => onChange({ ...c, value: e.currentTarget.value })} w={160} />
      ) : null}
      <ActionIcon variant="subtle" color="red" aria-label={`Remove condition ${index + 1}`} onClick={() => onChange(null)}>
        ×
      </ActionIcon>
    </Group>
  );
}
