import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A protocol-faithful fake OpenID provider for tests: discovery, JWKS (with key rotation),
 * the authorization endpoint (code flow with PKCE S256, state, nonce) and the token endpoint
 * (client_secret_basic or client_secret_post), signing real RS256 ID tokens with jose.
 *
 * There is no login form: a test queues who "signs in" next (`fake.nextLogin(...)`), with optional
 * faults (a foreign key, a wrong audience, an expired token…) to see that they are refused.
 */
export type Fault = {
  /** Sign with a key that the JWKS does not publish (a forged token). */
  forged?: boolean;
  aud?: string;
  iss?: string;
  /** Seconds from now; negative means already expired. */
  expiresIn?: number;
  /** Seconds added to `iat` (a token "issued in the future"). */
  iatOffset?: number;
  nonce?: string;
};

export type FakeLogin = { claims: Record<string, unknown>; fault?: Fault } | { error: string; description?: string };

type Key = { kid: string; privateKey: CryptoKey; jwk: JWK };
type Client = { secret: string; redirectUris: string[] };
type Grant = { clientId: string; redirectUri: string; nonce?: string; challenge: string; login: Extract<FakeLogin, { claims: unknown }>; used: boolean };

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export type FakeIdp = {
  issuer: string;
  /** Registers a client (the connection's client id and secret) with its redirect URIs. */
  addClient(clientId: string, secret: string, redirectUris: string[]): void;
  /** Who signs in at the next authorization request (default: refuses with login_required). */
  nextLogin(login: FakeLogin): void;
  /** A new signing key; the JWKS publishes only it from now on. */
  rotateKeys(): Promise<void>;
  /** How many times the JWKS was fetched. */
  jwksRequests(): number;
  /** The last authorization request's query (to see PKCE, state, nonce, login_hint). */
  lastAuthorization(): URLSearchParams | undefined;
  close(): Promise<void>;
};

export async function startFakeIdp(opts: { path?: string } = {}): Promise<FakeIdp> {
  let key = await newKey();
  const foreignKey = await newKey();
  const clients = new Map<string, Client>();
  const grants = new Map<string, Grant>();
  const queue: FakeLogin[] = [];
  let jwksCount = 0;
  let lastAuth: URLSearchParams | undefined;
  let issuer = '';
  const base = opts.path ?? '';

  async function idToken(clientId: string, grant: Grant): Promise<string> {
    const f = grant.login.fault ?? {};
    const now = Math.floor(Date.now() / 1000);
    const signing = f.forged ? foreignKey : key;
    const nonce = f.nonce ?? grant.nonce;
    return new SignJWT({ ...grant.login.claims, ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid: f.forged ? key.kid : signing.kid, typ: 'JWT' })
      .setIssuer(f.iss ?? issuer)
      .setAudience(f.aud ?? clientId)
      .setSubject(String(grant.login.claims.sub ?? randomUUID()))
      .setIssuedAt(now + (f.iatOffset ?? 0))
      .setExpirationTime(now + (f.expiresIn ?? 300))
      .sign(signing.privateKey);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', issuer);
    const path = url.pathname.slice(base.length);
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['openid', 'email', 'profile'],
        grant_types_supported: ['authorization_code'],
      });
    }
    if (req.method === 'GET' && path === '/jwks') {
      jwksCount += 1;
      return json(res, 200, { keys: [key.jwk] });
    }
    if (req.method === 'GET' && path === '/authorize') {
      lastAuth = url.searchParams;
      const q = url.searchParams;
      const clientId = q.get('client_id') ?? '';
      const redirectUri = q.get('redirect_uri') ?? '';
      const client = clients.get(clientId);
      // Unknown client or redirect URI: never redirect (RFC 6749 §4.1.2.1), show an error page.
      if (!client || !client.redirectUris.includes(redirectUri)) {
        res.writeHead(400, { 'content-type': 'text/html' });
        return res.end('<h1>Unknown client or redirect URI</h1>');
      }
      const back = new URL(redirectUri);
      const state = q.get('state');
      if (state) back.searchParams.set('state', state);
      const login = queue.shift() ?? { error: 'login_required', description: 'Nobody is signed in at the fake provider' };
      if (q.get('response_type') !== 'code') {
        back.searchParams.set('error', 'unsupported_response_type');
      } else if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
        back.searchParams.set('error', 'invalid_request');
        back.searchParams.set('error_description', 'PKCE S256 is required');
      } else if ('error' in login) {
        back.searchParams.set('error', login.error);
        if (login.description) back.searchParams.set('error_description', login.description);
      } else {
        const code = randomBytes(24).toString('base64url');
        grants.set(code, { clientId, redirectUri, nonce: q.get('nonce') ?? undefined, challenge: q.get('code_challenge')!, login, used: false });
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (req.method === 'POST' && path === '/token') {
      const form = new URLSearchParams(await readBody(req));
      let clientId = form.get('client_id') ?? '';
      let secret = form.get('client_secret') ?? '';
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      if (basic) {
        const [id, pw] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
        clientId = decodeURIComponent(id ?? '');
        secret = decodeURIComponent(pw ?? '');
      }
      const client = clients.get(clientId);
      if (!client || client.secret !== secret) return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { 'www-authenticate': 'Basic' });
      if (form.get('grant_type') !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' });
      const grant = grants.get(form.get('code') ?? '');
      if (!grant || grant.used || grant.clientId !== clientId) return json(res, 400, { error: 'invalid_grant', error_description: 'Unknown or used code' });
      grant.used = true;
      if (grant.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
      const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
      if (challenge !== grant.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
      return json(res, 200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 300, scope: 'openid email profile', id_token: await idToken(clientId, grant) });
    }
    if (req.method === 'GET' && path === '/logout') {
      const to = url.searchParams.get('post_logout_redirect_uri');
      if (to) {
        res.writeHead(302, { location: to });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<h1>Signed out of the fake provider</h1>');
    }
    return json(res, 404, { error: 'not_found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => json(res, 500, { error: 'server_error', error_description: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`;

  return {
    issuer,
    addClient: (clientId, secret, redirectUris) => clients.set(clientId, { secret, redirectUris }),
    nextLogin: (login) => queue.push(login),
    async rotateKeys() {
      key = await newKey();
    },
    jwksRequests: () => jwksCount,
    lastAuthorization: () => lastAuth,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
