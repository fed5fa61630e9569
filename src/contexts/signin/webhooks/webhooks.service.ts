import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../../../platform/platform.js';
import { inTransaction } from '../../../platform/db/tx.js';
import type { DbOrTx } from '../../../platform/db/database.js';
import { badRequest, conflict, notFound } from '../../../platform/errors.js';
import { recordAudit, type Actor } from '../../../platform/audit/audit.js';
import { decryptSecret, encryptSecret, newToken } from '../../../platform/crypto.js';
import { webhookDeliveries, webhookSubscriptions, type WebhookEventType } from '../live.tables.js';
import type { BulkVisitEventSink } from '../visits/visit-events.js';
import { webhooksRepo, type SubscriptionRow } from './webhooks.repo.js';
import { presentDelivery, presentWebhook } from './webhooks.presenters.js';
import { WEBHOOK_EVENTS } from './webhooks.schemas.js';
import { signatureHeader } from './webhooks.signature.js';
import { blockedTarget, resolveTarget, type Target } from './webhooks.target.js';

export const DELIVER_JOB = 'webhook.deliver';
export type DeliverJob = { tenantId: string; deliveryId: string };
export type WebhookInput = { url: string; events: WebhookEventType[]; description?: string; active?: boolean };

/** At most this much of a reply is kept, and only from a public address. */
const SNIPPET_BYTES = 1024;

const isWebhookEvent = (t: string): t is WebhookEventType => (WEBHOOK_EVENTS as readonly string[]).includes(t);

type Posted = { status: number; snippet: string };

/**
 * POSTs to `url` connecting to `address` only (the lookup is answered with it, so no second DNS
 * query happens, and no kept-alive connection to another address is reused); reads at most
 * SNIPPET_BYTES of the reply. Redirects are not followed.
 */
export function postTo(url: URL, address: string, family: 4 | 6, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Posted> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const pinned: LookupFunction = (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else cb(null, address, family);
  };
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      // `agent: false`: a connection of its own. The default agent keeps connections alive and
      // reuses them by host and port, not by the address checked: a name re-pointed since would
      // still be sent over the old connection to the old address.
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: pinned, agent: false, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => resolve({ status: res.statusCode ?? 0, snippet: new TextDecoder().decode(Buffer.concat(chunks).subarray(0, SNIPPET_BYTES)).replace(/\uFFFD+$/, '') });
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= SNIPPET_BYTES) {
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `Timed out after ${timeoutMs} ms`;
  if (err instanceof Error) {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    return cause ? `${err.message}: ${cause.code ?? cause.message ?? ''}`.slice(0, 500) : err.message.slice(0, 500);
  }
  return String(err).slice(0, 500);
}

/**
 * Outbound webhooks. Events become delivery rows and jobs inside the visit's transaction (the
 * sink); the job POSTs later, signs every attempt, and lets the job queue retry with backoff.
 */
export function createWebhooksService(deps: Pick<Platform, 'db' | 'jobs' | 'config' | 'now' | 'log'>) {
  const { db, jobs, config } = deps;
  const policy = config.webhooks;
  const jobOptions = {
    retryLimit: policy.retryLimit,
    retryDelay: policy.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: Math.ceil(policy.timeoutMs / 1000) + 60,
  };

  /**
   * A URL about to be saved: 400 webhook_target_refused (on `url`) when it names, or its host now
   * resolves to, an address the policy refuses. A name that does not resolve yet is taken: every
   * delivery resolves and checks again, and connects to the address it checked.
   */
  async function assertTarget(url: string) {
    const why = await blockedTarget(url, policy);
    if (why) throw badRequest('webhook_target_refused', `Webhooks cannot be sent there: ${why}`, 'url');
  }

  async function get(tx: DbOrTx, tenantId: string, id: string) {
    const row = await webhooksRepo.find(tx, tenantId, id);
    if (!row) throw notFound('Webhook');
    return row;
  }

  async function enqueue(tx: DbOrTx, sub: SubscriptionRow, type: string, data: Record<string, unknown>, at: string) {
    const id = randomUUID();
    const body = JSON.stringify({ id, type, createdAt: at, tenantId: sub.tenantId, data });
    const [row] = await tx.insert(webhookDeliveries).values({ id, tenantId: sub.tenantId, subscriptionId: sub.id, event: type, body }).returning();
    await jobs.send<DeliverJob>(tx, DELIVER_JOB, { tenantId: sub.tenantId, deliveryId: id }, jobOptions);
    return row!;
  }

  /** Called by the visits service inside the visit's transaction: never an HTTP call here. */
  const sink: BulkVisitEventSink = async (tx, event) => {
    if (!isWebhookEvent(event.type)) return;
    const subs = await webhooksRepo.activeOf(tx, event.tenantId);
    for (const sub of subs) {
      if (sub.events.includes(event.type)) await enqueue(tx, sub, event.type, { visit: event.visit }, event.at);
    }
  };
  /** Nothing to do: no active subscription of the tenant takes events of this type. */
  sink.quietWhen = (event) =>
    isWebhookEvent(event.type)
      ? webhooksRepo.noneActiveFor(event.tenantId, event.type)
      : sql`true`;
  /** Several events (a replayed chunk): the subscriptions read once per tenant, deliveries queued in the events' order. */
  sink.many = async (tx, events) => {
    const wanted = events.filter((e) => isWebhookEvent(e.type));
    for (const tenantId of new Set(wanted.map((e) => e.tenantId))) {
      const subs = await webhooksRepo.activeOf(tx, tenantId);
      if (subs.length === 0) continue;
      for (const event of wanted) {
        if (event.tenantId !== tenantId || !isWebhookEvent(event.type)) continue;
        for (const sub of subs) if (sub.events.includes(event.type)) await enqueue(tx, sub, event.type, { visit: event.visit }, event.at);
      }
    }
  };

  return {
    sink,

    async list(tenantId: string) {
      return (await webhooksRepo.list(db, tenantId)).map(presentWebhook);
    },

    async view(tenantId: string, id: string) {
      return presentWebhook(await get(db, tenantId, id));
    },

    async create(tenantId: string, input: WebhookInput, actor: Actor) {
      await assertTarget(input.url);
      const secret = newToken('whsec_');
      return inTransaction(db, async (tx) => {
        const [row] = await tx
          .insert(webhookSubscriptions)
          .values({
            tenantId,
            url: input.url,
            events: [...new Set(input.events)],
            description: input.description ?? '',
            active: input.active ?? true,
            secretEncrypted: encryptSecret(config.secretKey, secret),
          })
          .returning();
        await recordAudit(tx, tenantId, actor, {
          action: 'webhook.created',
          targetType: 'webhook',
          targetId: row!.id,
          summary: `Webhook to ${new URL(input.url).host} created`,
          data: { url: input.url, events: row!.events },
        });
        return { webhook: presentWebhook(row!), secret };
      });
    },

    async update(tenantId: string, id: string, patch: Partial<WebhookInput>, actor: Actor) {
      if (patch.url !== undefined) await assertTarget(patch.url);
      return inTransaction(db, async (tx) => {
        await get(tx, tenantId, id);
        const [row] = await tx
          .update(webhookSubscriptions)
          .set({ ...patch, ...(patch.events ? { events: [...new Set(patch.events)] } : {}), updatedAt: deps.now() })
          .where(and(eq(webhookSubscriptions.tenantId, tenantId), eq(webhookSubscriptions.id, id)))
          .returning();
        await recordAudit(tx, tenantId, actor, {
          action: 'webhook.updated',
          targetType: 'webhook',
          targetId: id,
          summary: `Webhook to ${new URL(row!.url).host} updated`,
          data: { fields: Object.keys(patch) },
        });
        return presentWebhook(row!);
      });
    },

    async remove(tenantId: string, id: string, actor: Actor) {
      await inTransaction(db, async (tx) => {
        const row = await get(tx, tenantId, id);
        await tx.delete(webhookSubscriptions).where(and(eq(webhookSubscriptions.tenantId, tenantId), eq(webhookSubscriptions.id, id)));
        await recordAudit(tx, tenantId, actor, { action: 'webhook.deleted', targetType: 'webhook', targetId: id, summary: `Webhook to ${new URL(row.url).host} deleted` });
      });
    },

    /** A new signing key, shown once; the old one stops working at once. */
    async rotateSecret(tenantId: string, id: string, actor: Actor) {
      const secret = newToken('whsec_');
      return inTransaction(db, async (tx) => {
        await get(tx, tenantId, id);
        const [row] = await tx
          .update(webhookSubscriptions)
          .set({ secretEncrypted: encryptSecret(config.secretKey, secret), updatedAt: deps.now() })
          .where(and(eq(webhookSubscriptions.tenantId, tenantId), eq(webhookSubscriptions.id, id)))
          .returning();
        await recordAudit(tx, tenantId, actor, { action: 'webhook.secret_rotated', targetType: 'webhook', targetId: id, summary: 'Webhook signing key regenerated' });
        return { webhook: presentWebhook(row!), secret };
      });
    },

    async deliveries(tenantId: string, id: string, limit: number) {
      await get(db, tenantId, id);
      return (await webhooksRepo.deliveries(db, tenantId, id, limit)).map(presentDelivery);
    },

    /** Queues a `webhook.test` delivery to the subscription, whatever events it takes. */
    async sendTest(tenantId: string, id: string, actor: Actor) {
      return inTransaction(db, async (tx) => {
        const sub = await get(tx, tenantId, id);
        if (!sub.active) throw conflict('webhook_inactive', 'Activate the webhook before sending a test event');
        const at = deps.now().toISOString();
        const row = await enqueue(tx, sub, 'webhook.test', { message: 'A test event from Threshold', sentBy: actor.label }, at);
        await recordAudit(tx, tenantId, actor, { action: 'webhook.test_sent', targetType: 'webhook', targetId: id, summary: 'Webhook test event queued', data: { deliveryId: row.id } });
        return presentDelivery(row);
      });
    },

    /**
     * One attempt (the job handler). Throws to have the queue retry while retries remain; the
     * last failure marks the delivery failed and returns.
     */
    async deliver(job: DeliverJob): Promise<void> {
      const delivery = await webhooksRepo.delivery(db, job.tenantId, job.deliveryId);
      if (!delivery || delivery.status !== 'pending') return;
      const sub = await webhooksRepo.find(db, job.tenantId, delivery.subscriptionId);
      if (!sub) return;
      if (!sub.active) {
        await db
          .update(webhookDeliveries)
          .set({ status: 'failed', lastError: 'The webhook was deactivated', completedAt: deps.now() })
          .where(eq(webhookDeliveries.id, delivery.id));
        return;
      }
      const secret = decryptSecret(config.secretKey, sub.secretEncrypted);
      const timestamp = Math.floor(Date.now() / 1000);
      const started = performance.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      let snippet: string | null = null;
      // Checked at each attempt, after DNS (a name may be pointed at a metadata or private address
      // later, or the URL saved before the operator's setting changed), and the request goes to the
      // address that was checked.
      let blocked: string | null = null;
      try {
        const target: Target = await resolveTarget(sub.url, policy);
        blocked = target.blocked;
        if (target.blocked !== null) throw new Error(`Refused: ${target.blocked}`);
        const res = await postTo(
          new URL(sub.url),
          target.address,
          target.family,
          {
            'content-type': 'application/json',
            'user-agent': 'Threshold-Webhooks/1',
            'threshold-event': delivery.event,
            'threshold-signature': signatureHeader(secret, timestamp, delivery.body),
            'idempotency-key': delivery.id,
          },
          delivery.body,
          policy.timeoutMs,
        );
        statusCode = res.status;
        // Replies of loopback and private receivers are not kept: the log must not become a way to read internal services.
        snippet = target.public ? res.snippet : null;
        if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
      } catch (err) {
        error = describeError(err, policy.timeoutMs);
      }
      const durationMs = Math.round(performance.now() - started);
      const ok = error === null;
      const [row] = await db
        .update(webhookDeliveries)
        .set({
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          lastStatusCode: statusCode,
          lastDurationMs: durationMs,
          lastError: error,
          responseSnippet: snippet,
          lastAttemptAt: deps.now(),
        })
        .where(eq(webhookDeliveries.id, delivery.id))
        .returning({ attempts: webhookDeliveries.attempts });
      const final = ok || blocked !== null || row!.attempts > policy.retryLimit;
      if (final) {
        await db
          .update(webhookDeliveries)
          .set({ status: ok ? 'succeeded' : 'failed', completedAt: deps.now() })
          .where(eq(webhookDeliveries.id, delivery.id));
        return;
      }
      throw new Error(`webhook delivery ${delivery.id} attempt ${row!.attempts} failed: ${error}`);
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;

/** The delivery job's handler (see contexts/jobs.ts). */
export async function registerWebhookJobs(platform: Platform): Promise<void> {
  const service = createWebhooksService(platform);
  await platform.jobs.work<DeliverJob>(DELIVER_JOB, (job) => service.deliver(job.data));
}
