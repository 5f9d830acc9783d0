import type { Db } from "@shopmesh/kit/db";
import type { ConsumedEvent, ConsumeOutcome, NatsConnection } from "@shopmesh/kit/events";
import type { Logger } from "@shopmesh/kit/log";
import type { IdentityDirectory } from "../identity-directory.ts";
import type { Intake, IntentSource } from "../intake.ts";
import type { NotificationStore } from "../store/index.ts";

/** What every consumer of notification is built from. */
export interface ConsumerDeps {
  nats: NatsConnection;
  db: Db;
  /** EVENTS_PREFIX. */
  prefix: string;
  store: NotificationStore;
  intake: Intake;
  /** Asked for a ProfileUpdated's new values; without it those changes wait for the next look-up. */
  identity?: IdentityDirectory;
  logger: Logger;
  /** Deliveries before an event that keeps failing is dead-lettered (the kit's default 5). */
  maxDeliver?: number;
  backoffMs?: readonly number[];
  onEvent?(durable: string, outcome: ConsumeOutcome): void;
}

/** The event as the intake records it. */
export function sourceOf(event: ConsumedEvent): IntentSource {
  return { id: event.id, type: event.type, meta: event.meta };
}

/** The consumer options every consumer shares. */
export function consumerBase(deps: ConsumerDeps, durable: string) {
  return {
    nats: deps.nats,
    db: deps.db,
    prefix: deps.prefix,
    durable,
    logger: deps.logger,
    ...(deps.maxDeliver ? { maxDeliver: deps.maxDeliver } : {}),
    ...(deps.backoffMs ? { backoffMs: deps.backoffMs } : {}),
    onEvent: (outcome: ConsumeOutcome) => deps.onEvent?.(durable, outcome),
  };
}
