import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('the vulnerability-report policy', () => {
  it('SECURITY.md says how to report privately, what is in scope and how fast we answer; the README points to it', () => {
    const policy = read('SECURITY.md');
    for (const heading of ['## How to report a vulnerability', '## In scope', '## Out of scope', '## What happens next (response times)']) expect(policy).toContain(heading);
    expect(policy).toMatch(/Report a vulnerability/);
    expect(policy).toMatch(/do \*\*not\*\* open a public\s+issue/);
    expect(policy).toMatch(/acknowledge your report \| 5 working days/);
    const security = read('README.md').split('## Security')[1]!.split('\n## ')[0]!;
    expect(security).toContain('[SECURITY.md](SECURITY.md)');
  });
});
