import type { EntityManager } from "@shopmesh/kit/db";

/** Carrier webhook events handled, by carrier and event id: the replay guard. */
export interface WebhookEventRepository {
  /**
   * Records that an event is being handled; false when it was handled before (a replay). Runs in
   * the transaction of the event's effect, so an event whose effect rolled back can come again,
   * and a concurrent second delivery waits for the first and then sees it.
   */
  record(event: {
    carrier: string;
    eventId: string;
    eventType: string;
    trackingNumber: string;
    now: Date;
  }): Promise<boolean>;
}

export function createWebhookEventRepository(em: EntityManager): WebhookEventRepository {
  return {
    async record(event) {
      const rows = await em.execute<{ carrier: string }[]>(
        `insert into carrier_webhook_events (carrier, event_id, event_type, tracking_number, receive_time)
         values (?, ?, ?, ?, ?)
         on conflict (carrier, event_id) do nothing
         returning carrier`,
        [event.carrier, event.eventId, event.eventType, event.trackingNumber, event.now],
      );
      return rows.length > 0;
    },
  };
}
