import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../../../platform/http/auth.js';
import { meSchema } from '../auth.routes.js';
import type { TotpService } from './totp.service.js';

const code = z.string().trim().min(1).max(16);

export function totpRoutes(totp: TotpService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/auth/totp',
      {
        schema: {
          tags: ['auth'],
          summary: 'Finish signing in with a TOTP code (after a login that answered totpRequired)',
          body: z.object({ code }),
          response: { 200: meSchema },
        },
      },
      async (req) => totp.complete(requirePrincipal(req), req.body.code),
    );

    app.post(
      '/api/auth/totp/setup',
      {
        schema: {
          tags: ['auth'],
          summary: 'Start setting up two-factor sign-in: a new secret, its otpauth URL and a QR code',
          response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), qrSvg: z.string() }) },
        },
      },
      async (req) => totp.setup(requirePrincipal(req)),
    );

    app.post(
      '/api/auth/totp/enable',
      {
        schema: {
          tags: ['auth'],
          summary: 'Turn on two-factor sign-in by confirming a code from the new secret',
          body: z.object({ code }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await totp.enable(requirePrincipal(req), req.body.code);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/totp/disable',
      {
        schema: {
          tags: ['auth'],
          summary: 'Turn off two-factor sign-in (password and a current code)',
          body: z.object({ password: z.string().min(1).max(1024), code }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await totp.disable(requirePrincipal(req), req.body);
        return reply.status(204).send(null);
      },
    );
  };
}
