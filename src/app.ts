import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from './platform/platform.js';
import { installErrorHandler, sendError } from './platform/http/error-handler.js';
import { credentialFirstOnRoute, routePath } from './platform/http/auth.js';
import { assertStorableRequest } from './platform/http/input.js';
import { tooManyRequests } from './platform/errors.js';
import { migrationsCurrent } from './platform/db/migrate.js';
import { contextPlugins, errorDialects } from './contexts/index.js';
import { composeContexts, type Contexts } from './contexts/compose.js';
import { createWindowLimiter } from './platform/rate-limit.js';

/** The API's documentation (Swagger UI), public like the document it shows. */
const DOCS_PREFIX = '/api/docs';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

/**
 * `contexts`: the composed graph to serve (main.ts shares it with the job worker); composed here when not given.
 * `webRoot`: the built web app to serve (`web/dist` unless given; a test's own folder).
 */
export type BuildAppOptions = { logger?: boolean; serveWeb?: boolean; contexts?: Contexts; webRoot?: string };

/**
 * One log line per request, once it is answered, with what Fastify's "incoming request" line said
 * (method, URL, client) beside the status and time: Fastify's two lines cost twice the logging.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * The headers @fastify/helmet sets with `options`, found once by asking a bare Fastify instance
 * with the plugin and one without it for the same answer: what differs is helmet's.
 */
export async function securityHeaders(options: FastifyHelmetOptions): Promise<Array<[string, string]>> {
  const answer = async (withHelmet: boolean) => {
    const probe = Fastify();
    if (withHelmet) await probe.register(helmet, options);
    probe.get('/', async () => 'ok');
    const res = await probe.inject({ method: 'GET', url: '/' });
    await probe.close();
    return res.headers;
  };
  const [plain, helmeted] = [await answer(false), await answer(true)];
  return Object.entries(helmeted)
    .filter(([name, value]) => name !== 'date' && typeof value === 'string' && plain[name] !== value)
    .map(([name, value]) => [name, value as string]);
}

/** Platform plugins, then one plugin per context. Nothing here knows the domain. */
export async function buildApp(platform: Platform, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const { config } = platform;
  const app = Fastify({
    loggerInstance: opts.logger === false ? undefined : (platform.log as unknown as FastifyBaseLogger),
    bodyLimit: config.bodyLimit,
    logController: new OneLinePerRequest(),
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // SCIM answers 404 (not 414) for ids of any length identity providers may send.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 8192 },
    // A malformed URL (bad percent-encoding) answers in the app's own error format, or SCIM's under /scim/v2.
    frameworkErrors: (err, req, reply) => {
      void sendError(err, req as unknown as FastifyRequest, reply as unknown as FastifyReply, errorDialects);
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.decorateRequest('routePath', undefined); // routePath's memo
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, errorDialects);
  // Before any route: every /api/ route but the public ones authenticates before reading its input.
  app.addHook('onRoute', credentialFirstOnRoute([DOCS_PREFIX]));
  // One boundary check for text: NUL and unpaired surrogates cannot be stored, so they are a 400
  // naming the field before any handler runs. SCIM answers in its own error format (its context).
  // The root hooks are callback hooks (no promise a request): they run on every request.
  app.addHook('preValidation', (req, _reply, done) => {
    if (routePath(req).startsWith('/scim/')) return done();
    try {
      assertStorableRequest(req, () => req.routeOptions.config.textCheckedPerItem);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    void reply.header('x-request-id', req.id);
    // API answers carry personal data (names, visits, checks): no browser or proxy may keep them.
    if (routePath(req).startsWith('/api/') && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  const httpsOnly = config.publicUrl.startsWith('https://');
  // The same security headers on every answer (404s and errors too), set in the first onRequest
  // hook. @fastify/helmet rebuilds helmet's middleware (parsing the CSP) on every request; these
  // options have no per-request part (no nonces), so its headers are computed once here.
  const headers = await securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        // A school may serve Threshold over plain http on its own network: only ask browsers to
        // upgrade requests (and pin HTTPS) when the public address is https.
        upgradeInsecureRequests: httpsOnly ? [] : null,
      },
    },
    strictTransportSecurity: httpsOnly ? undefined : false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (_req, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
  await app.register(cookie);
  if (config.rateLimitPerMinute > 0) {
    // Per client IP, for API routes only (decided on the matched route, never the raw URL): /health
    // and /ready stay free, SCIM routes have their own per-group limiter, static files are not
    // counted. Decided in memory and shared across instances by writing behind (createWindowLimiter).
    // A root onRequest hook, added before the contexts, so it runs before authentication.
    const limiter = createWindowLimiter({
      db: platform.db,
      now: platform.now,
      prefix: 'api:ip:',
      limit: config.rateLimitPerMinute,
      windowMs: 60_000,
      onError: (err) => platform.log.warn({ err }, 'could not write the API rate-limit counters'),
    });
    app.addHook('onRequest', (req, _reply, done) => {
      if (!routePath(req).startsWith('/api/')) return done();
      limiter.hit(req.ip).then((decision) => done(decision.ok ? undefined : tooManyRequests(decision.retryAfterSeconds)), done);
    });
    app.addHook('onResponse', (_req, _reply, done) => {
      limiter.afterResponse();
      done();
    });
    app.addHook('onClose', async () => {
      await limiter.flush();
    });
  }
  // SCIM clients send application/scim+json; parse it as JSON.
  app.addContentTypeParser(['application/scim+json'], { parseAs: 'string' }, app.getDefaultJsonParser('error', 'ignore'));

  await app.register(swagger, {
    openapi: {
      info: { title: 'Threshold API', version: '0.1.0', description: 'Sign-in, SCIM provisioning and the Single Central Record.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'thr_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  app.get('/api/openapi.json', { schema: { hide: true, security: [] } }, async () => app.swagger());

  app.get(
    '/health',
    { schema: { tags: ['platform'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      schema: {
        tags: ['platform'],
        security: [],
        response: { 200: z.object({ status: z.literal('ready') }), 503: z.object({ status: z.literal('not_ready'), reason: z.string() }) },
      },
    },
    async (_req, reply) => {
      try {
        await platform.database.query('SELECT 1');
      } catch {
        return reply.status(503).send({ status: 'not_ready' as const, reason: 'database unreachable' });
      }
      if (!(await migrationsCurrent(platform.database))) {
        return reply.status(503).send({ status: 'not_ready' as const, reason: 'migrations pending' });
      }
      return { status: 'ready' as const };
    },
  );

  for (const plugin of contextPlugins(platform, opts.contexts ?? composeContexts(platform))) {
    await app.register(plugin);
  }

  const webRoot = opts.webRoot ?? WEB_DIST;
  if (opts.serveWeb !== false && existsSync(path.join(webRoot, 'index.html'))) {
    // The files at the root (index.html, sw.js, the manifest and icon) keep their names from one
    // build to the next: a route each, read from disk on every request. The hashed assets change
    // their names: one route under /assets/ looks for the file on each request, so a rebuild under
    // a running server takes effect on reload (routes listed at start served the new index.html
    // with its new assets 404, a blank portal until a restart; decision 046, polish). A catch-all
    // at the root would take over the router's refusals of API paths (414 for a too-long id).
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: 'index.html', globIgnore: ['assets/**'] });
    await app.register(fastifyStatic, { root: path.join(webRoot, 'assets'), prefix: '/assets/', wildcard: true, decorateReply: false });
    app.decorate('threshold_spa', true);
  }
  return app;
}
