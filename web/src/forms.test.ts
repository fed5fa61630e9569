import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { fieldPaths, formLevelError, serverFieldErrors } from './forms';

describe('fieldPaths', () => {
  it('names every field as @mantine/form does, nested and in lists', () => {
    expect(fieldPaths({ name: '', role: 'admin', items: [{ label: 'a' }], when: new Date(0) })).toEqual(['name', 'role', 'items', 'items.0', 'items.0.label', 'when']);
  });
});

describe('server errors on a form', () => {
  const paths = ['name', 'address', 'items.0.label'];

  it('puts a validation error (body.name) on the name field and nothing at form level', () => {
    const err = new ApiError(400, 'validation_failed', 'Name is required', { field: 'body.name' });
    expect(serverFieldErrors(err, paths)).toEqual({ name: 'Name is required' });
    expect(formLevelError(err, paths)).toBeNull();
  });

  it('puts each of several issues on its own field, including list items', () => {
    const err = new ApiError(400, 'validation_failed', 'Invalid input', {
      issues: [
        { field: 'body.address', message: 'Too long' },
        { field: 'body.items.0.label', message: 'Required' },
      ],
    });
    expect(serverFieldErrors(err, paths)).toEqual({ address: 'Too long', 'items.0.label': 'Required' });
  });

  it('keeps an error about a field the form does not have, or about no field, at form level', () => {
    const other = new ApiError(409, 'name_taken', 'Taken', { field: 'slug' });
    const none = new ApiError(403, 'forbidden', 'You may not');
    expect(serverFieldErrors(other, paths)).toEqual({});
    expect(formLevelError(other, paths)).toBe(other);
    expect(formLevelError(none, paths)).toBe(none);
    const network = new Error('offline');
    expect(formLevelError(network, paths)).toBe(network);
    expect(formLevelError(null, paths)).toBeNull();
  });
});
