import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import type { RuleSetService } from './rule-set.service.js';

const tags = ['record'];
const body = z.object({ version: z.string().trim().min(1).max(100) });
const previewSchema = z.object({
  from: z.string(),
  to: z.string(),
  summary: z.string(),
  checks: z.array(z.object({ key: z.string(), name: z.string(), change: z.enum(['added', 'changed', 'removed']), fields: z.array(z.string()) })),
  facts: z.object({ added: z.array(z.object({ key: z.string(), name: z.string() })), removed: z.array(z.object({ key: z.string(), name: z.string() })) }),
  profilesChecked: z.number(),
  profiles: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      organisation: z.string(),
      readyBefore: z.boolean(),
      readyAfter: z.boolean(),
      systems: z.array(z.object({ key: z.string(), name: z.string(), before: z.boolean(), after: z.boolean(), newlyMissing: z.array(z.string()), noLongerMissing: z.array(z.string()) })),
    }),
  ),
});

export function ruleSetRoutes(ruleSets: RuleSetService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/record/rule-set',
      {
        schema: {
          tags,
          summary: 'The built-in rule set version the record runs, and the versions available',
          response: { 200: z.object({ version: z.string(), summary: z.string(), latest: z.string(), versions: z.array(z.object({ version: z.string(), summary: z.string(), current: z.boolean() })) }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'record.read');
        return ruleSets.current(p);
      },
    );
    app.post(
      '/api/record/rule-set/preview',
      { schema: { tags, summary: 'What moving to a rule set version changes: checks, facts, profiles whose rating changes (writes nothing; 409 unknown or current version)', body, response: { 200: previewSchema } } },
      async (req) => {
        const p = authorize(req, 'record.manage');
        return ruleSets.preview(p, req.body.version);
      },
    );
    app.post(
      '/api/record/rule-set/apply',
      { schema: { tags, summary: 'Move the record to a rule set version in one transaction (audited; undo by applying the previous version)', body, response: { 200: previewSchema } } },
      async (req) => {
        const p = authorize(req, 'record.manage');
        return ruleSets.apply(p, actorOf(req), req.body.version);
      },
    );
  };
}
