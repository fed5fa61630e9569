import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { badRequest } from '../errors.js';

/** Where uploaded files live. Local disk under the data folder by default. */
export interface FileStorage {
  put(namespace: string, data: Buffer): Promise<string>;
  get(key: string): Promise<Readable>;
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
}

const SAFE_NS = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SAFE_KEY = /^[a-z0-9][a-z0-9-]{0,63}\/[0-9a-f-]{36}$/;

export function localDiskStorage(root: string): FileStorage {
  const resolve = (key: string) => {
    if (!SAFE_KEY.test(key)) throw badRequest('invalid_file_key', 'Invalid file key');
    return path.join(root, key);
  };
  return {
    async put(namespace, data) {
      if (!SAFE_NS.test(namespace)) throw badRequest('invalid_file_namespace', 'Invalid file namespace');
      const key = `${namespace}/${randomUUID()}`;
      await mkdir(path.join(root, namespace), { recursive: true });
      await writeFile(resolve(key), data, { mode: 0o600 });
      return key;
    },
    async get(key) {
      return createReadStream(resolve(key));
    },
    async size(key) {
      const file = resolve(key); // a bad key is an error, not a missing file
      try {
        return (await stat(file)).size;
      } catch {
        return null;
      }
    },
    async delete(key) {
      await rm(resolve(key), { force: true });
    },
  };
}
