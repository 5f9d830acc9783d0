import { type EntityManager, reportInsertOnCommit } from "@shopmesh/kit/db";
import type { DeliveryChannel } from "../domain/catalogue.ts";
import type { Delivery, DeliveryState } from "../domain/delivery.ts";
import { type LockOption, toDate, toDateOrNull, toJson } from "./sql.ts";

export interface DeliveryFilter {
  state?: DeliveryState;
  userId?: string;
  channel?: DeliveryChannel;
}

/** Where a page of deliveries starts: after this (create time, id), newest first. */
export interface DeliveryCursor {
  createTime: Date;
  id: string;
}

export interface DeliveryRepository {
  /** False when the same fact was queued for this channel and recipient already (nothing is written). */
  insert(delivery: Delivery): Promise<boolean>;
  /**
   * Takes up to `limit` queued deliveries that are due: counts the attempt and moves their
   * next_attempt_time `leaseMs` ahead, so no other dispatcher takes them while this one sends
   * (SKIP LOCKED: concurrent claims take different rows). One that is never marked comes due
   * again when the lease runs out.
   */
  claimDue(limit: number, leaseMs: number): Promise<Delivery[]>;
  /**
   * Writes the outcome of an attempt, unless the delivery moved on meanwhile (its lease ran out
   * and another attempt began, or an admin changed it): then false and nothing is written.
   */
  saveAttempt(delivery: Delivery): Promise<boolean>;
  byId(id: string, options?: LockOption): Promise<Delivery | undefined>;
  update(delivery: Delivery): Promise<void>;
  list(filter: DeliveryFilter, after: DeliveryCursor | undefined, limit: number): Promise<Delivery[]>;
  /** Erases the addresses and facts of a deleted user's deliveries; queued ones fail. */
  eraseForUser(userId: string, now: Date): Promise<void>;
}

const COLUMNS = `id, type, category, channel, user_id as "userId", recipient_key as "recipientKey", recipient,
  locale, data, dedupe_key as "dedupeKey", event_id as "eventId", event_type as "eventType", state, attempts,
  last_error as "lastError", subject, provider_message_id as "providerMessageId", redrive_count as "redriveCount",
  create_time as "createTime", update_time as "updateTime", next_attempt_time as "nextAttemptTime",
  sent_time as "sentTime"`;

export function createDeliveryRepository(em: EntityManager): DeliveryRepository {
  return {
    async insert(d) {
      const rows = await em.execute<{ id: string }[]>(
        `insert into deliveries (id, type, category, channel, user_id, recipient_key, recipient, locale, data,
           dedupe_key, event_id, event_type, state, attempts, last_error, subject, provider_message_id,
           redrive_count, create_time, update_time, next_attempt_time, sent_time)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict on constraint deliveries_dedupe_key do nothing
         returning id`,
        [
          d.id,
          d.type,
          d.category,
          d.channel,
          d.userId,
          d.recipientKey,
          d.recipient,
          d.locale,
          JSON.stringify(d.data),
          d.dedupeKey,
          d.eventId,
          d.eventType,
          d.state,
          d.attempts,
          d.lastError,
          d.subject,
          d.providerMessageId,
          d.redriveCount,
          d.createTime,
          d.updateTime,
          d.nextAttemptTime,
          d.sentTime,
        ],
      );
      // the dispatcher of this process starts on it once it is committed
      if (rows.length > 0) reportInsertOnCommit(em, "deliveries");
      return rows.length > 0;
    },

    async claimDue(limit, leaseMs) {
      const rows = await em.execute<Delivery[]>(
        `update deliveries set attempts = attempts + 1,
                next_attempt_time = now() + make_interval(secs => ?), update_time = now()
          where id in (
            select id from deliveries
             where state = 'queued' and next_attempt_time <= now()
             order by next_attempt_time, id
             limit ? for update skip locked)
          returning ${COLUMNS}`,
        [leaseMs / 1000, limit],
      );
      return rows.map(toDelivery);
    },

    async saveAttempt(d) {
      const rows = await em.execute<{ id: string }[]>(
        `update deliveries set state = ?, recipient = ?, locale = ?, last_error = ?, subject = ?,
                provider_message_id = ?, update_time = ?, next_attempt_time = ?, sent_time = ?
          where id = ? and attempts = ? and state = 'queued'
          returning id`,
        [
          d.state,
          d.recipient,
          d.locale,
          d.lastError,
          d.subject,
          d.providerMessageId,
          d.updateTime,
          d.nextAttemptTime,
          d.sentTime,
          d.id,
          d.attempts,
        ],
      );
      return rows.length > 0;
    },

    async byId(id, options = {}) {
      const rows = await em.execute<Delivery[]>(
        `select ${COLUMNS} from deliveries where id = ?${options.lock ? " for update" : ""}`,
        [id],
      );
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },

    async update(d) {
      await em.execute(
        `update deliveries set state = ?, attempts = ?, last_error = ?, redrive_count = ?, update_time = ?,
                next_attempt_time = ?
          where id = ?`,
        [d.state, d.attempts, d.lastError, d.redriveCount, d.updateTime, d.nextAttemptTime, d.id],
      );
      // a delivery queued again (re-driven) is new work, as a new one is
      if (d.state === "queued") reportInsertOnCommit(em, "deliveries");
    },

    async list(filter, after, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.state) {
        where.push("state = ?");
        params.push(filter.state);
      }
      if (filter.userId) {
        where.push("user_id = ?");
        params.push(filter.userId);
      }
      if (filter.channel) {
        where.push("channel = ?");
        params.push(filter.channel);
      }
      if (after) {
        where.push("(create_time, id) < (?, ?)");
        params.push(after.createTime, after.id);
      }
      const rows = await em.execute<Delivery[]>(
        `select ${COLUMNS} from deliveries${where.length ? ` where ${where.join(" and ")}` : ""}
          order by create_time desc, id desc limit ?`,
        [...params, limit],
      );
      return rows.map(toDelivery);
    },

    async eraseForUser(userId, now) {
      await em.execute(
        `update deliveries set recipient = '', data = '{}'::jsonb, update_time = ?,
                state = case when state = 'queued' then 'failed' else state end,
                last_error = case when state = 'queued' then 'the account was deleted' else last_error end
          where user_id = ?`,
        [now, userId],
      );
    },
  };
}

function toDelivery(row: Delivery): Delivery {
  return {
    ...row,
    data: toJson(row.data),
    createTime: toDate(row.createTime),
    updateTime: toDate(row.updateTime),
    nextAttemptTime: toDate(row.nextAttemptTime),
    sentTime: toDateOrNull(row.sentTime),
  };
}
