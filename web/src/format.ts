/**
 * Dates and times for people, one style across the app: UK dates (dd/mm/yyyy) and 24-hour times
 * (HH:mm), whatever the browser's language. A page about a site (the kiosk, a site's visits, who is
 * on site, a roll call) passes the site's IANA time zone so times read as the site's clock showed
 * them; elsewhere the browser's own zone is used. A local date (`YYYY-MM-DD`, e.g. a check's expiry)
 * has no zone and is shown as it is.
 */

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    } catch {
      // A zone this browser does not know: the browser's own zone rather than no time at all.
      f = new Intl.DateTimeFormat('en-GB', options);
    }
    formatters.set(key, f);
  }
  return f;
}

type Parts = { date: string; time: string };

function parts(value: string | Date, timeZone: string | undefined): Parts | null {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const p: Record<string, string> = {};
  for (const { type, value: v } of formatter(timeZone).formatToParts(d)) p[type] = v;
  return { date: `${p.day}/${p.month}/${p.year}`, time: `${p.hour}:${p.minute}` };
}

/** `06/12/2026`: a local date as it is, or an instant's date in `timeZone`. Empty for no value. */
export function formatDate(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return '';
  if (typeof value === 'string') {
    const m = LOCAL_DATE.exec(value);
    if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  }
  return parts(value, timeZone)?.date ?? String(value);
}

/** `13:21`: an instant's time of day in `timeZone`, 24-hour. Empty for no value. */
export function formatTime(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return '';
  return parts(value, timeZone)?.time ?? String(value);
}

/** `06/12/2026 13:21`: an instant in `timeZone`. A dash for no value (an empty table cell). */
export function formatDateTime(value: string | Date | null | undefined, timeZone?: string): string {
  if (!value) return '—';
  const p = parts(value, timeZone);
  return p ? `${p.date} ${p.time}` : String(value);
}
