import { TextInput } from '@mantine/core';
import { useSearchParams } from 'react-router';

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The date ratings are asked for ("will we be ready on inspection day?"), kept in the page's URL
 * as `?asOf=YYYY-MM-DD` so it survives going from the dashboard to the list to a profile and back,
 * and a link can be shared. Empty: today in each organisation's time zone (the server decides).
 */
export function useAsOf(): [string, (next: string) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get('asOf') ?? '';
  const asOf = ISO.test(raw) ? raw : '';
  const setAsOf = (next: string) =>
    setParams(
      (prev) => {
        const out = new URLSearchParams(prev);
        if (ISO.test(next)) out.set('asOf', next);
        else out.delete('asOf');
        return out;
      },
      { replace: true },
    );
  return [asOf, setAsOf];
}

/** `path` with the chosen date carried along (nothing added when it is today). */
export const withAsOf = (path: string, asOf: string) => (asOf ? `${path}${path.includes('?') ? '&' : '?'}asOf=${asOf}` : path);

/** The "Ready on" date picker of every rating view (dashboard, profiles, a profile). */
export function AsOfPicker({ value, onChange }: { value: string; onChange: (next: string) => void }) {
  return <TextInput type="date" label="Ready on" description="Empty: today. E.g. inspection day." value={value} onChange={(e) => onChange(e.currentTarget.value)} w={190} />;
}
