import { isIP } from 'node:net';
import * as client from 'openid-client';
import { badRequest } from '../../../platform/errors.js';

/**
 * The identity provider seen through openid-client (code flow, PKCE, state, nonce; the ID token's
 * signature, iss, aud, exp, iat and nonce are its checks, not ours). Discovery answers are cached
 * for a few minutes per connection; the JWKS is cached per issuer and fetched again when a token
 * names a key id the cache does not hold (the IdP rotated its keys).
 */

/** Seconds of clock difference with the IdP that `exp`/`iat` checks tolerate. */
export const CLOCK_TOLERANCE_SECONDS = 60;
const DISCOVERY_TTL_MS = 10 * 60_000;
const TIMEOUT_SECONDS = 10;

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/** An issuer URL we may talk to: https, or http on a loopback address only (for everyone). */
export function parseIssuerUrl(raw: string, field = 'issuer'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('invalid_issuer', 'The issuer must be a URL', field);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw badRequest('invalid_issuer', 'The issuer must be an https:// URL (http:// only on a loopback address)', field);
}

export type ProviderConnection = { id: string; issuer: string; clientId: string; clientSecret: string; updatedAt: Date };

/** Why the provider could not be used: it did not answer, or it answered with something wrong. */
export class ProviderError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'token_invalid' | 'idp_error' | 'state_invalid',
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

function kidOf(jwt: unknown): string | undefined {
  if (typeof jwt !== 'string') return undefined;
  try {
    const header = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

export function createProvider(opts: { now?: () => Date } = {}) {
  const now = opts.now ?? (() => new Date());
  const discovered = new Map<string, { at: number; server: client.ServerMetadata }>();
  const jwksByIssuer = new Map<string, client.ExportedJWKSCache>();

  function configure(conn: ProviderConnection, server: client.ServerMetadata): client.Configuration {
    const methods = server.token_endpoint_auth_methods_supported;
    const auth = !methods || methods.includes('client_secret_basic') ? client.ClientSecretBasic(conn.clientSecret) : client.ClientSecretPost(conn.clientSecret);
    const config = new client.Configuration(server, conn.clientId, { [client.clockTolerance]: CLOCK_TOLERANCE_SECONDS }, auth);
    if (new URL(server.issuer).protocol === 'http:') client.allowInsecureRequests(config);
    // Check the ID token's signature against the JWKS even though it came straight from the token
    // endpoint (openid-client skips it by default there, trusting TLS).
    client.enableNonRepudiationChecks(config);
    config.timeout = TIMEOUT_SECONDS;
    return config;
  }

  /** Fresh discovery (no cache): what "Test connection" and a changed connection use. */
  async function discover(conn: ProviderConnection): Promise<client.ServerMetadata> {
    const issuer = parseIssuerUrl(conn.issuer);
    try {
      const config = await client.discovery(issuer, conn.clientId, undefined, client.ClientSecretBasic(conn.clientSecret), {
        execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
        timeout: TIMEOUT_SECONDS,
      });
      const server = { ...config.serverMetadata() };
      discovered.set(`${conn.id}:${conn.updatedAt.getTime()}`, { at: now().getTime(), server });
      return server;
    } catch (err) {
      throw new ProviderError('unreachable', `Discovery at ${issuer.href} failed: ${(err as Error).message}`);
    }
  }

  async function configuration(conn: ProviderConnection): Promise<client.Configuration> {
    const cached = discovered.get(`${conn.id}:${conn.updatedAt.getTime()}`);
    const server = cached && now().getTime() - cached.at < DISCOVERY_TTL_MS ? cached.server : await discover(conn);
    return configure(conn, server);
  }

  /** The IdP's authorization URL for a new attempt (PKCE S256, state, nonce). */
  async function authorizationUrl(conn: ProviderConnection, input: { redirectUri: string; scopes: string; state: string; nonce: string; codeVerifier: string; loginHint?: string }): Promise<URL> {
    const config = await configuration(conn);
    const params: Record<string, string> = {
      redirect_uri: input.redirectUri,
      scope: input.scopes,
      response_type: 'code',
      state: input.state,
      nonce: input.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(input.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (input.loginHint) params.login_hint = input.loginHint;
    return client.buildAuthorizationUrl(config, params);
  }

  /**
   * Redeems the code and returns the verified ID token's claims. The IdP's tokens go no further
   * than this function.
   */
  async function redeem(conn: ProviderConnection, currentUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<client.IDToken> {
    const config = await configuration(conn);
    const issuer = config.serverMetadata().issuer;
    const tokenEndpoint = config.serverMetadata().token_endpoint;
    const cache = jwksByIssuer.get(issuer);
    // Reuse the cached JWKS unless the token is signed with a key it does not hold (key rotation).
    config[client.customFetch] = async (url, options) => {
      const res = await fetch(url, options as RequestInit);
      if (cache && url === tokenEndpoint && res.ok) {
        const body = (await res.clone().json().catch(() => ({}))) as { id_token?: unknown };
        const kid = kidOf(body.id_token);
        if (kid && cache.jwks?.keys.some((k) => k.kid === kid)) client.setJwksCache(config, cache);
      }
      return res;
    };
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      if (err instanceof client.AuthorizationResponseError) throw new ProviderError('idp_error', err.message, err.error);
      if (err instanceof client.ResponseBodyError) throw new ProviderError('idp_error', err.message, err.error);
      if (err instanceof client.WWWAuthenticateChallengeError) throw new ProviderError('idp_error', 'The token endpoint refused the client id or secret', `status ${err.status}`);
      const cause = (err as { cause?: unknown }).cause;
      if (err instanceof TypeError || (err as { code?: string }).code === 'OAUTH_TIMEOUT' || (cause instanceof Error && /fetch failed|ECONNREFUSED|aborted/i.test(cause.message))) {
        throw new ProviderError('unreachable', (err as Error).message);
      }
      throw new ProviderError('token_invalid', (err as Error).message);
    }
    const fresh = client.getJwksCache(config);
    if (fresh) jwksByIssuer.set(issuer, fresh);
    const claims = tokens.claims();
    if (!claims) throw new ProviderError('token_invalid', 'The token response carried no ID token');
    return claims;
  }

  /** The IdP's RP-initiated logout URL, when it has an end-session endpoint. */
  async function endSessionUrl(conn: ProviderConnection, postLogoutRedirectUri: string): Promise<string | null> {
    const config = await configuration(conn);
    if (!config.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(config, { client_id: conn.clientId, post_logout_redirect_uri: postLogoutRedirectUri }).href;
  }

  type Check = { name: string; ok: boolean; message: string };

  /** Discovery, JWKS, the code flow with PKCE, and the client credentials (a token request with a made-up code). */
  async function test(conn: ProviderConnection, redirectUri: string): Promise<Check[]> {
    const checks: Check[] = [];
    let server: client.ServerMetadata;
    try {
      server = await discover(conn);
      checks.push({ name: 'discovery', ok: true, message: `Found the issuer ${server.issuer}` });
    } catch (err) {
      checks.push({ name: 'discovery', ok: false, message: (err as Error).message });
      return checks;
    }
    const flowOk = (server.response_types_supported ?? ['code']).includes('code') && (server.code_challenge_methods_supported ?? ['S256']).includes('S256');
    checks.push({ name: 'code_flow', ok: flowOk, message: flowOk ? 'Supports the code flow with PKCE (S256)' : 'Does not advertise the code flow with PKCE S256' });
    try {
      if (!server.jwks_uri) throw new Error('no jwks_uri in the discovery document');
      const res = await fetch(server.jwks_uri, { signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000) });
      const body = (await res.json()) as { keys?: unknown[] };
      if (!res.ok || !Array.isArray(body.keys) || body.keys.length === 0) throw new Error(`no keys at ${server.jwks_uri}`);
      checks.push({ name: 'jwks', ok: true, message: `${body.keys.length} signing key(s) published` });
    } catch (err) {
      checks.push({ name: 'jwks', ok: false, message: `The signing keys could not be read: ${(err as Error).message}` });
    }
    try {
      await client.genericGrantRequest(configure(conn, server), 'authorization_code', { code: 'threshold-connection-test', redirect_uri: redirectUri, code_verifier: client.randomPKCECodeVerifier() });
      checks.push({ name: 'client', ok: false, message: 'The token endpoint accepted a made-up code' });
    } catch (err) {
      // A 401 with a WWW-Authenticate challenge is how the token endpoint refuses client credentials.
      const code = err instanceof client.ResponseBodyError ? err.error : err instanceof client.WWWAuthenticateChallengeError && err.status === 401 ? 'invalid_client' : undefined;
      if (code === 'invalid_client' || code === 'unauthorized_client') {
        checks.push({ name: 'client', ok: false, message: `The client id or secret is wrong (${code})` });
      } else if (code) {
        checks.push({ name: 'client', ok: true, message: `Client id and secret accepted (a made-up code was refused with ${code})` });
      } else {
        checks.push({ name: 'client', ok: false, message: `The token endpoint did not answer properly: ${(err as Error).message}` });
      }
    }
    return checks;
  }

  return { authorizationUrl, redeem, endSessionUrl, test, discover };
}

export type Provider = ReturnType<typeof createProvider>;
export const randomState = client.randomState;
export const randomNonce = client.randomNonce;
export const randomCodeVerifier = client.randomPKCECodeVerifier;
