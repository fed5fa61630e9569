import { afterEach, describe, expect, it, vi } from 'vitest';
import { offlineSupport } from './kioskOffline';

describe('offline mode needs a secure context', () => {
  afterEach(() => vi.unstubAllGlobals());
  it('is unavailable over plain HTTP, and says why', () => {
    vi.stubGlobal('window', { isSecureContext: false, indexedDB: {} });
    const s = offlineSupport();
    expect(s.available).toBe(false);
    expect(s.why).toMatch(/plain HTTP.*HTTPS or on localhost/);
  });
  it('is available over HTTPS (or localhost) with a service worker and IndexedDB', () => {
    vi.stubGlobal('window', { isSecureContext: true, indexedDB: {} });
    vi.stubGlobal('navigator', { serviceWorker: {} });
    expect(offlineSupport()).toEqual({ available: true, why: null });
  });
});
