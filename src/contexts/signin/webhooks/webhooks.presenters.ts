import type { DeliveryRow, SubscriptionRow } from './webhooks.repo.js';

/** The public shapes of a webhook subscription (never its signing key) and of a delivery. */
export function presentWebhook(s: SubscriptionRow) {
  return {
    id: s.id,
    url: s.url,
    description: s.description,
    events: s.events,
    active: s.active,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function presentDelivery(d: DeliveryRow) {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastDurationMs: d.lastDurationMs,
    lastError: d.lastError,
    responseSnippet: d.responseSnippet,
    createdAt: d.createdAt.toISOString(),
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    completedAt: d.completedAt?.toISOString() ?? null,
  };
}
