import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../../../platform/http/auth.js';
import type { PasswordService } from './password.service.js';
import { changePasswordBody, resetCompleteBody, resetRequestBody } from './password.schemas.js';

export function passwordRoutes(passwords: PasswordService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Change your password; your other sessions end',
          body: changePasswordBody,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await passwords.change(requirePrincipal(req), req.body);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/auth/password-reset/request',
      {
        schema: {
          tags: ['auth'],
          summary: 'Email a password reset link (valid 1 hour). Always 202, known address or not',
          security: [],
          body: resetRequestBody,
          response: { 202: z.null() },
        },
      },
      async (req, reply) => {
        await passwords.requestReset({ email: req.body.email, ip: req.ip });
        return reply.status(202).send(null);
      },
    );

    app.post(
      '/api/auth/password-reset/complete',
      {
        schema: {
          tags: ['auth'],
          summary: 'Set a new password from a reset link; every session of the account ends',
          security: [],
          body: resetCompleteBody,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await passwords.completeReset(req.body);
        return reply.status(204).send(null);
      },
    );
  };
}
