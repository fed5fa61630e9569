import { z } from 'zod';

/**
 * zod's own English messages ("Too small: expected string to have >=1 characters") are for
 * developers; a form shows what a person should do instead ("Required"). A message a schema gave
 * itself (`z.string().min(2, 'Enter a name')`) is kept as written.
 */
const zodDefault = z.locales.en().localeError;

/** What is read of a zod issue (a `$ZodIssue`, or the `params` fastify-type-provider-zod keeps of one). */
type Issue = { code: string; message: string; origin?: unknown; minimum?: unknown; maximum?: unknown; inclusive?: unknown; expected?: unknown; format?: unknown; values?: unknown };

function isZodDefault(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return issue.message.startsWith('Invalid input: expected ');
  const d = zodDefault(issue as unknown as Parameters<typeof zodDefault>[0]);
  return (typeof d === 'string' ? d : d?.message) === issue.message;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function formatMessage(format: unknown): string {
  switch (format) {
    case 'email':
      return 'Enter an email address, like name@school.org';
    case 'url':
      return 'Enter a full address, starting with https://';
    case 'uuid':
    case 'guid':
      return 'Not a valid id';
    case 'date':
      return 'Enter a date as YYYY-MM-DD';
    case 'datetime':
      return 'Enter a date and time';
    case 'time':
      return 'Enter a time as HH:MM';
    default:
      return 'Not in the expected format';
  }
}

/** The message a person sees for one validation issue (zod's code and details). */
export function humanIssueMessage(issue: Issue): string {
  if (!isZodDefault(issue)) return issue.message;
  const n = Number(issue.minimum ?? issue.maximum);
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return n <= 1 ? 'Required' : `Use at least ${plural(n, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return n <= 1 ? 'Choose at least one' : `Choose at least ${n}`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? `Must be more than ${n}` : `Must be at least ${n}`;
      return issue.message;
    case 'too_big':
      if (issue.origin === 'string') return `Use at most ${plural(n, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `Choose at most ${n}`;
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? `Must be less than ${n}` : `Must be at most ${n}`;
      return issue.message;
    case 'invalid_type':
      if (/received (undefined|null)$/.test(issue.message)) return 'Required';
      if (issue.expected === 'int') return 'Must be a whole number';
      if (issue.expected === 'number') return 'Must be a number';
      if (issue.expected === 'boolean') return 'Must be on or off (true or false)';
      if (issue.expected === 'string') return 'Must be text';
      return issue.message;
    case 'invalid_format':
      return formatMessage(issue.format);
    case 'invalid_value':
      return Array.isArray(issue.values) ? `Choose one of: ${issue.values.map(String).join(', ')}` : issue.message;
    default:
      return issue.message;
  }
}
