import { Checkbox, Group, NumberInput, Select } from '@mantine/core';
import type { OfflinePolicy } from './signinApi';

/** The group default (src/contexts/signin/groups/groups.schemas.ts). */
export const DEFAULT_OFFLINE_POLICY: OfflinePolicy = { maxSafetyAgeHours: 24, whenStale: 'reject', photos: true };

const WHEN_STALE: Array<{ value: OfflinePolicy['whenStale']; label: string }> = [
  { value: 'reject', label: 'Turn them away' },
  { value: 'allow_flag', label: 'Let them in and flag the visit for review' },
];

/**
 * The group's offline policy, as controlled fields (value / onChange / error, as a form
 * library's input props give them): how old a kiosk's last known safety check may be, and what the
 * kiosk does when it is older, and whether it keeps photos (README "Offline kiosk").
 */
export function OfflinePolicyFields({ value, onChange, error }: { value: OfflinePolicy | undefined; onChange: (v: OfflinePolicy) => void; error?: (field: 'maxSafetyAgeHours' | 'whenStale' | 'photos') => string | undefined }) {
  const v = value ?? DEFAULT_OFFLINE_POLICY;
  return (
    <Group grow align="flex-start" wrap="wrap">
      <NumberInput
        label="Offline: trust a safety check for (hours)"
        description="A kiosk with no connection uses each person's last known outcome up to this age."
        min={1}
        max={720}
        allowDecimal={false}
        value={v.maxSafetyAgeHours}
        onChange={(n) => onChange({ ...v, maxSafetyAgeHours: typeof n === 'number' ? n : v.maxSafetyAgeHours })}
        error={error?.('maxSafetyAgeHours')}
      />
      <Select
        label="Offline: when it is older"
        data={WHEN_STALE}
        value={v.whenStale}
        onChange={(w) => onChange({ ...v, whenStale: (w ?? 'reject') as OfflinePolicy['whenStale'] })}
        allowDeselect={false}
        error={error?.('whenStale')}
      />
      <Checkbox
        label="Offline: keep members’ photos on the kiosk"
        description="Made small and kept on the kiosk with its copy, so the name search shows faces offline as online."
        checked={v.photos ?? true}
        onChange={(e) => onChange({ ...v, photos: e.currentTarget.checked })}
      />
    </Group>
  );
}
