import type { NotificationType } from "./catalogue.ts";

/**
 * What an event asks of notification: a type, who it is for, the facts the templates show,
 * and the key that makes it happen once.
 */

/** JSON values only: intents are stored with their deliveries and rendered later. */
export type TemplateData = { [key: string]: TemplateValue };
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | TemplateValue[]
  | { [key: string]: TemplateValue };

/** Who a notification is for. */
export type Audience =
  | {
      kind: "user";
      userId: string;
      /** Known from the event (identity's account events carry it); else looked up when sending. */
      email?: string;
      locale?: string;
      name?: string;
      /** For SMS: the phone on the order's shipping address. */
      phone?: string;
    }
  /** Every admin (stock alerts): users with the admin role and the configured addresses. */
  | { kind: "admins" };

export interface NotificationIntent {
  type: NotificationType;
  audience: Audience;
  data: TemplateData;
  /**
   * One business fact, one notification per recipient and channel: "order_confirmed:<order id>".
   * A second event with the same key (a duplicate the inbox did not catch, a replayed saga) makes
   * nothing new. Facts that may repeat (refunds, reset requests) key by event id.
   */
  dedupeKey: string;
  /** The storefront path an in-app notification leads to; "" for none. */
  link: string;
}
