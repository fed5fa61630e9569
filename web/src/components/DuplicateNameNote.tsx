import { Alert } from '@mantine/core';
import { nameKey } from '../../../src/common/name-key';

/**
 * A name already in use, said before saving and not refused: the server has no such rule (a trust's
 * schools each rightly have a "Staff" group), and the caller is told only of what they can see.
 */
export function sameName<T extends { name: string }>(name: string, existing: readonly T[]): T | undefined {
  const key = nameKey(name.trim());
  return key ? existing.find((e) => nameKey(e.name.trim()) === key) : undefined;
}

/** The note under an add form's name: non-blocking, in a live region there from the start, so it is read out when it appears. */
export function DuplicateNameNote({ what, match }: { what: string; match: { name: string } | undefined }) {
  return (
    <div role="status" aria-live="polite">
      {match ? (
        <Alert color="yellow" variant="light">
          A {what} named “{match.name}” already exists. You can still add this one.
        </Alert>
      ) : null}
    </div>
  );
}
