import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { localDiskStorage } from './storage.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'threshold-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const storage = localDiskStorage(path.join(root, 'files'));

describe('local disk storage', () => {
  it('puts, gets, sizes and deletes a file', async () => {
    const key = await storage.put('evidence', Buffer.from('hello file'));
    expect(key).toMatch(/^evidence\/[0-9a-f-]{36}$/);
    expect(await storage.size(key)).toBe(10);
    expect(await text(await storage.get(key))).toBe('hello file');
    await storage.delete(key);
    expect(await storage.size(key)).toBeNull();
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  it('refuses keys and namespaces that could leave its folder', async () => {
    writeFileSync(path.join(root, 'outside.txt'), 'secret');
    for (const key of ['../outside.txt', 'evidence/../../outside.txt', '/etc/passwd', 'evidence/../x', 'Evidence/00000000-0000-0000-0000-000000000000']) {
      await expect(storage.get(key)).rejects.toMatchObject({ code: 'invalid_file_key', status: 400 });
      await expect(storage.size(key)).rejects.toMatchObject({ code: 'invalid_file_key' });
      await expect(storage.delete(key)).rejects.toMatchObject({ code: 'invalid_file_key' });
    }
    for (const ns of ['..', '../x', 'a/b', '', 'UPPER']) {
      await expect(storage.put(ns, Buffer.from('x'))).rejects.toMatchObject({ code: 'invalid_file_namespace' });
    }
  });
});
