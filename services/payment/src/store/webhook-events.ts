import type { Sql } from "./sql.ts";

/** Provider webhook events seen, by (provider, event id). */
export interface WebhookEventRepository {
  /**
   * Records an event; false when it was recorded before (a replay). A concurrent delivery of the
   * same event waits here for the first one's transaction: after its commit it answers false,
   * after its rollback it records the event itself.
   */
  record(event: {
    provider: string;
    eventId: string;
    type: string;
    paymentIntentId: string | undefined;
    receiveTime: Date;
  }): Promise<boolean>;
}

const RECORD = `insert into webhook_events (provider, event_id, type, payment_intent_id, receive_time)
  values ($1, $2, $3, $4, $5)
  on conflict (provider, event_id) do nothing
  returning 1 as inserted`;

export function createWebhookEventRepository(sql: Sql): WebhookEventRepository {
  return {
    async record(event) {
      const { rows } = await sql.query(RECORD, [
        event.provider,
        event.eventId,
        event.type,
        event.paymentIntentId ?? null,
        event.receiveTime,
      ]);
      return rows.length > 0;
    },
  };
}
