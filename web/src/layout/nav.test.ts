import { describe, expect, it } from 'vitest';
import { currentNavPath } from './nav';

const signin = ['/signin', '/signin/on-site', '/signin/groups', '/signin/roll-calls'];

describe('currentNavPath', () => {
  it('picks only the landing page on the landing page', () => {
    expect(currentNavPath(signin, '/signin')).toBe('/signin');
  });
  it('picks the page, not also the landing page that prefixes it', () => {
    expect(currentNavPath(signin, '/signin/groups')).toBe('/signin/groups');
    expect(currentNavPath(signin, '/signin/groups/8f0c')).toBe('/signin/groups');
  });
  it('does not match on a shared prefix that is not a parent path', () => {
    expect(currentNavPath(['/signin/roll', '/signin'], '/signin/roll-calls')).toBe('/signin');
    expect(currentNavPath(['/settings/users'], '/signin')).toBeUndefined();
  });
});
