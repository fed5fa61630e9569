import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PASSWORD_MIN } from '../contexts/accounts/index.js';
import { commandHelp, UsageError, type CliContext } from './command.js';
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
    await expect(create.run(noContext, { name: 'X', 'owner-password': 'p' })).rejects.toThrow(/^Missing option: --owner-email\n--owner-password: must have at least/);
    await expect(byName('user create').run(noContext, { tenant: '6f1c7a52-5d7e-4a8e-9a51-2a7c1e0f7b11', email: 'a@b.test', password: 'a long password', role: 'owner' })).rejects.toThrow(
      /^--role: must be one of admin, manager, viewer$/,
    );
  });

  it('names every missing option at once, and wrong ones in plain words (no zod wording)', async () => {
    await expect(byName('tenant create').run(noContext, {})).rejects.toThrow(/^Missing options: --name, --owner-email, --owner-password$/);
    const wrong = byName('member create').run(noContext, { tenant: 'Acme', group: 'nope', name: 'Ann', email: 'not-an-email' });
    await expect(wrong).rejects.toThrow('--group: must be an id (a UUID');
    await expect(byName('member create').run(noContext, { tenant: 'Acme', group: 'nope', name: 'Ann', email: 'not-an-email' })).rejects.toThrow('--email: must be an email address');
    await expect(byName('member create').run(noContext, { tenant: 'Acme', name: 'Ann' })).rejects.toThrow(/^Missing option: --group$/);
  });

  it('refuses a weak password before opening the database (the context has no database)', async () => {
    await expect(byName('tenant create').run(noContext, { name: 'X', 'owner-email': 'a@b.test', 'owner-password': 'short' })).rejects.toThrow(
      `--owner-password: must have at least ${PASSWORD_MIN} characters`,
    );
    await expect(byName('user create').run(noContext, { tenant: 'X', email: 'a@b.test', password: 'short', role: 'viewer' })).rejects.toThrow(/^--password: must have at least/);
  });

  it('has --help for every command, and the README lists every command', () => {
    const readme = readFileSync(path.resolve('README.md'), 'utf8');
    for (const c of commands) {
      const help = commandHelp(c);
      expect(help).toContain(c.summary);
      expect(help).toContain(`Usage: npm run --silent cli -- ${c.usage}`);
      if ('tenant' in c.options) expect(help).toContain('--tenant takes the tenant id');
      expect(readme, `README lists ${c.name}`).toContain(`cli -- ${c.name}`);
    }
  });
});
