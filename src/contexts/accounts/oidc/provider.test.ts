import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseIssuerUrl } from './provider.js';

describe('issuer URLs', () => {
  it('accepts https anywhere and http only on loopback addresses', () => {
    expect(parseIssuerUrl('https://login.microsoftonline.com/x/v2.0').hostname).toBe('login.microsoftonline.com');
    for (const ok of ['http://127.0.0.1:9000', 'http://localhost:8080/realms/x', 'http://[::1]:3000', 'http://127.5.6.7']) {
      expect(parseIssuerUrl(ok).protocol).toBe('http:');
    }
    for (const bad of ['http://idp.example.com', 'http://10.0.0.1', 'http://127.0.0.1.nip.io', 'ftp://127.0.0.1', 'not a url', 'http://[::2]']) {
      expect(() => parseIssuerUrl(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_issuer', status: 400 }));
    }
  });
  it('knows loopback hosts', () => {
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });
});
