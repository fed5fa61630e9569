import { describe, expect, it } from 'vitest';
import { UsageError, type CliContext } from './command.js';
import { commands } from './commands/index.js';

const byName = (name: string) => commands.find((c) => c.name === name)!;
const noContext = {} as CliContext;

describe('the CLI command table', () => {
  it('has unique names and a usage line for each command', () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(byName('tenant create').usage).toBe(
      'tenant create --name NAME --owner-email EMAIL --owner-password PASSWORD [--owner-name NAME] [--kind KIND]',
    );
    expect(byName('apikey create').usage).toContain('[--role ROLE]');
  });

  it('turns a missing or invalid option into a usage error naming it (kebab-case)', async () => {
    const create = byName('tenant create');
    await expect(create.run(noContext, { name: 'X', 'owner-password': 'p' })).rejects.toThrow(UsageError);
    await expect(create.run(noContext, { name: 'X', 'owner-password': 'p' })).rejects.toThrow(/^--owner-email: /);
    await expect(byName('user create').run(noContext, { tenant: 'not-a-uuid', email: 'a@b.test', password: 'p', role: 'viewer' })).rejects.toThrow(
      /^--tenant: /,
    );
    await expect(byName('user create').run(noContext, { tenant: '6f1c7a52-5d7e-4a8e-9a51-2a7c1e0f7b11', email: 'a@b.test', password: 'p', role: 'owner' })).rejects.toThrow(
      /^--role: /,
    );
  });
});
