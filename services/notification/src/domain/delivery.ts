import { DeliveryDeadLetteredSchema } from "@shopmesh/contracts/shopmesh/notification/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { invalidState } from "@shopmesh/kit/errors";
import type { Category, DeliveryChannel, NotificationType } from "./catalogue.ts";
import type { TemplateData } from "./intent.ts";
import { deliveryMessage } from "./messages.ts";

/**
 * A delivery: one message to one recipient on one channel, and its life:
 *
 *   queued → sent
 *   queued → queued      an attempt failed for a reason that may pass; retried after a backoff
 *   queued → dead_letter every allowed attempt failed
 *   queued → failed      it cannot be sent at all (no address, recipient rejected)
 *   dead_letter | failed → queued   an admin re-drives it, with a fresh set of attempts
 */

export const DELIVERY_STATES = ["queued", "sent", "failed", "dead_letter"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface Delivery {
  id: string;
  type: NotificationType;
  category: Category;
  channel: DeliveryChannel;
  /** Null for an address from configuration. */
  userId: string | null;
  /** Who it is for, in the de-duplication key: the user id or "email:<address>". */
  recipientKey: string;
  /** The address used; "" until resolved (email addresses of users are looked up when sending). */
  recipient: string;
  /** The locale it is rendered in; "" until resolved. */
  locale: string;
  /** The facts the templates show. */
  data: TemplateData;
  /** The business fact it belongs to (see NotificationIntent.dedupeKey). */
  dedupeKey: string;
  eventId: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  lastError: string;
  subject: string;
  providerMessageId: string;
  redriveCount: number;
  createTime: Date;
  updateTime: Date;
  nextAttemptTime: Date;
  sentTime: Date | null;
}

/** How many attempts and how long between them. */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface NewDelivery {
  id: string;
  type: NotificationType;
  category: Category;
  channel: DeliveryChannel;
  userId: string | null;
  recipientKey: string;
  recipient: string;
  locale: string;
  data: TemplateData;
  dedupeKey: string;
  eventId: string;
  eventType: string;
  now: Date;
}

/** A delivery queued for its first attempt now. */
export function queueDelivery(input: NewDelivery): Delivery {
  const { now, ...rest } = input;
  return {
    ...rest,
    state: "queued",
    attempts: 0,
    lastError: "",
    subject: "",
    providerMessageId: "",
    redriveCount: 0,
    createTime: now,
    updateTime: now,
    nextAttemptTime: now,
    sentTime: null,
  };
}

/** What one attempt resolved and rendered, kept on the delivery whatever the outcome. */
export interface AttemptFacts {
  recipient: string;
  locale: string;
  subject: string;
}

/** A delivery after an attempt, and the events of the change. */
export interface DeliveryChange {
  delivery: Delivery;
  events: DomainEvent[];
}

/** The attempt sent the message. `attempts` already counts it (the claim raised it). */
export function deliverySent(
  delivery: Delivery,
  facts: AttemptFacts,
  providerMessageId: string,
  now: Date,
): DeliveryChange {
  return {
    delivery: {
      ...delivery,
      ...facts,
      state: "sent",
      lastError: "",
      providerMessageId,
      updateTime: now,
      sentTime: now,
    },
    events: [],
  };
}

/**
 * The attempt failed. A permanent failure ends in FAILED; a passing one is retried after
 * retryDelayMs, until the policy's attempts are used up: then DEAD_LETTER and
 * DeliveryDeadLettered. `random` (0 ≤ r < 1) spreads the retries of many deliveries that
 * failed together, so they do not hammer a recovering server at one instant.
 */
export function deliveryFailed(
  delivery: Delivery,
  failure: { message: string; permanent: boolean },
  facts: Partial<AttemptFacts>,
  policy: RetryPolicy,
  now: Date,
  random: number,
): DeliveryChange {
  const base = { ...delivery, ...facts, lastError: failure.message.slice(0, 1000), updateTime: now };
  if (failure.permanent) return { delivery: { ...base, state: "failed" }, events: [] };
  if (delivery.attempts >= policy.maxAttempts) {
    const dead: Delivery = { ...base, state: "dead_letter" };
    return {
      delivery: dead,
      events: [domainEvent(DeliveryDeadLetteredSchema, dead.id, { delivery: deliveryMessage(dead) })],
    };
  }
  const next = new Date(now.getTime() + retryDelayMs(delivery.attempts, policy, random));
  return { delivery: { ...base, state: "queued", nextAttemptTime: next }, events: [] };
}

/**
 * The wait after the n-th failed attempt: baseMs doubled per attempt up to maxMs, then scaled by
 * 0.5–1.0 ("equal jitter": never less than half the backoff, so a struggling server still gets
 * its rest).
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: number): number {
  const exponential = policy.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped * (0.5 + 0.5 * Math.min(Math.max(random, 0), 1)));
}

/** An admin sends a dead-lettered or failed delivery again: queued now, with fresh attempts. */
export function redriveDelivery(delivery: Delivery, now: Date): DeliveryChange {
  if (delivery.state !== "dead_letter" && delivery.state !== "failed") {
    throw invalidState(
      `delivery ${delivery.id} is ${delivery.state}; only dead letters and failed deliveries can be re-driven`,
    );
  }
  return {
    delivery: {
      ...delivery,
      state: "queued",
      attempts: 0,
      redriveCount: delivery.redriveCount + 1,
      nextAttemptTime: now,
      updateTime: now,
    },
    events: [],
  };
}
