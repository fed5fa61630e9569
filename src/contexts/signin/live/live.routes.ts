import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Platform } from '../../../platform/platform.js';
import { actorOf, authorize } from '../../../platform/http/auth.js';
import { INT4_MAX } from '../../../platform/http/numbers.js';
import { siteScopeOf } from '../access.js';
import type { OnSiteService } from './on-site.service.js';
import type { OverviewService } from './overview.service.js';
import { ROLL_CALL_CHANNEL, type RollCallsService } from './roll-calls.service.js';
import { entryParams, entrySchema, idParams, markBody, offlineStartBody, offlineStartView, onSiteSchema, overviewSchema, rollCallSchema, rollCallView, siteParams, startBody } from './live.schemas.js';

/** How often an idle event stream gets a comment line (keeps proxies open) and re-reads missed events. */
export const SSE_HEARTBEAT_MS = 15_000;

export function liveRoutes(platform: Platform, onSite: OnSiteService, rollCalls: RollCallsService, overview: OverviewService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['signin: today and roll call'];
    const streams = new Set<ServerResponse>();
    app.addHook('preClose', async () => {
      for (const s of streams) s.end();
    });
    app.addHook('onClose', async () => {
      await rollCalls.notifier.close();
    });

    app.get(
      '/api/signin/overview',
      { schema: { tags, summary: 'Sign-in at a glance: per site who is on site, today’s sign-ins and rejections, kiosks online; open roll calls', response: { 200: overviewSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return overview.overview(p.tenantId, siteScopeOf(p));
      },
    );

    app.get(
      '/api/signin/sites/:siteId/on-site',
      { schema: { tags, summary: 'Who is on the site now, per group', params: siteParams, response: { 200: onSiteSchema } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return onSite.onSite(p.tenantId, siteScopeOf(p), req.params.siteId);
      },
    );

    app.get(
      '/api/signin/roll-calls',
      {
        schema: {
          tags,
          summary: 'Fire roll calls, newest first (open ones and evacuation records)',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
          response: { 200: z.object({ items: z.array(rollCallSchema) }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return { items: await rollCalls.list(p.tenantId, siteScopeOf(p), req.query.limit) };
      },
    );

    app.post(
      '/api/signin/sites/:siteId/roll-calls',
      { schema: { tags, summary: 'Start a fire roll call of everyone on site in groups on the fire list', params: siteParams, body: startBody, response: { 201: rollCallView } } },
      async (req, reply) => {
        const p = authorize(req, 'signin.operate');
        return reply.status(201).send(await rollCalls.start(p.tenantId, siteScopeOf(p), req.params.siteId, actorOf(req), req.body.note));
      },
    );

    app.post(
      '/api/signin/sites/:siteId/roll-calls/offline',
      {
        schema: {
          tags,
          summary: 'A roll call started offline on a marshal’s phone, with its ticks: created with its start time, or merged into the one open at the site',
          description:
            'One roll call per site: when one is open (started online meanwhile), or this user sent the same start time before, the ticks merge into it (`merged: true`); ' +
            'otherwise it is created with the phone’s start time, listing who was on site then or signed in since. A tick whose person is not on the list is counted as unmatched.',
          params: siteParams,
          body: offlineStartBody,
          response: { 200: offlineStartView },
        },
      },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        const b = req.body;
        return rollCalls.startOffline(p.tenantId, siteScopeOf(p), req.params.siteId, actorOf(req), {
          startedAt: new Date(b.startedAt),
          note: b.note,
          ticks: b.ticks.map((t) => ({ visitId: t.visitId, memberId: t.memberId, personName: t.personName, status: t.status, at: new Date(t.at) })),
        });
      },
    );

    app.get(
      '/api/signin/roll-calls/:id',
      { schema: { tags, summary: 'A roll call and its people', params: idParams, response: { 200: rollCallView } } },
      async (req) => {
        const p = authorize(req, 'signin.read');
        return rollCalls.view(p.tenantId, siteScopeOf(p), req.params.id);
      },
    );

    app.post(
      '/api/signin/roll-calls/:id/entries/:entryId',
      {
        schema: {
          tags,
          summary: 'Tick a person safe (or back to unaccounted)',
          params: entryParams,
          body: markBody,
          response: { 200: z.object({ entry: entrySchema, seq: z.number() }) },
        },
      },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        return rollCalls.mark(p.tenantId, siteScopeOf(p), req.params.id, req.params.entryId, req.body.status, actorOf(req), req.body.at ? new Date(req.body.at) : undefined);
      },
    );

    app.post(
      '/api/signin/roll-calls/:id/close',
      { schema: { tags, summary: 'Close the roll call; it is kept as the evacuation record', params: idParams, response: { 200: rollCallView } } },
      async (req) => {
        const p = authorize(req, 'signin.operate');
        return rollCalls.close(p.tenantId, siteScopeOf(p), req.params.id, actorOf(req));
      },
    );

    app.get(
      '/api/signin/roll-calls/:id/events',
      {
        schema: {
          tags,
          summary: 'Server-Sent Events of the roll call',
          description:
            'A `snapshot` event (id = its sequence number) then every change (`entry.added`, `entry.updated`, `roll_call.closed`). ' +
            'On reconnect the browser sends Last-Event-ID (or pass `after`) and gets the events after it.',
          params: idParams,
          querystring: z.object({ after: z.coerce.number().int().min(0).max(INT4_MAX).optional() }),
        },
      },
      async (req, reply) => {
        const p = authorize(req, 'signin.read');
        const rc = await rollCalls.access(p.tenantId, siteScopeOf(p), req.params.id);
        const header = req.headers['last-event-id'];
        const after = typeof header === 'string' && /^\d{1,9}$/.test(header) ? Number(header) : req.query.after;

        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          'x-request-id': String(req.id),
        });
        res.write('retry: 2000\n\n');
        streams.add(res);

        let last = after ?? 0;
        let closed = false;
        let chain: Promise<void> = Promise.resolve();
        const send = (id: number, event: string, data: unknown) => {
          if (!closed) res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        const enqueue = (fn: () => Promise<void>) => {
          chain = chain.then(fn).catch((err: unknown) => req.log.error({ err }, 'roll call stream failed'));
        };
        const catchUp = () =>
          enqueue(async () => {
            if (closed) return;
            for (const e of await rollCalls.eventsAfter(p.tenantId, rc.id, last)) {
              send(e.seq, e.type, e);
              last = e.seq;
            }
          });

        // Listen first, then read: nothing committed in between is missed.
        const unsubscribe = await rollCalls.notifier.subscribe(ROLL_CALL_CHANNEL, (payload) => {
          const msg = JSON.parse(payload) as { rollCallId?: string; seq?: number };
          if (msg.rollCallId === rc.id && (msg.seq ?? 0) > last) catchUp();
        });
        if (after === undefined) {
          enqueue(async () => {
            const snapshot = await rollCalls.view(p.tenantId, siteScopeOf(p), rc.id);
            last = snapshot.rollCall.seq;
            send(last, 'snapshot', snapshot);
          });
        }
        catchUp();
        const heartbeat = setInterval(() => {
          if (!closed) res.write(': ping\n\n');
          catchUp();
        }, SSE_HEARTBEAT_MS);
        const finish = () => {
          if (closed) return;
          closed = true;
          clearInterval(heartbeat);
          unsubscribe();
          streams.delete(res);
        };
        req.raw.on('close', finish);
        res.on('close', finish);
      },
    );
  };
}
