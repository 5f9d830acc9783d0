import { createRegistry, type DescFile, type DescMessage, type Registry } from "@bufbuild/protobuf";
import { file_shopmesh_cart_v1_events } from "@shopmesh/contracts/shopmesh/cart/v1/events_pb";
import { file_shopmesh_catalog_v1_events } from "@shopmesh/contracts/shopmesh/catalog/v1/events_pb";
import { file_shopmesh_identity_v1_events } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { file_shopmesh_inventory_v1_events } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { file_shopmesh_notification_v1_events } from "@shopmesh/contracts/shopmesh/notification/v1/events_pb";
import { file_shopmesh_order_v1_events } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { file_shopmesh_payment_v1_events } from "@shopmesh/contracts/shopmesh/payment/v1/events_pb";
import { file_shopmesh_shipping_v1_events } from "@shopmesh/contracts/shopmesh/shipping/v1/events_pb";

/**
 * The streams the audit log reads: one per publishing context (<PREFIX>_<CONTEXT>), each with
 * the events file of its messages (proto/shopmesh/<context>/v1/events.proto). A context that
 * starts publishing adds its line here.
 */
export interface AuditedContext {
  /** The publishing context: stream <PREFIX>_<CONTEXT>. */
  context: string;
  /** Every message of this file is an event of the context. */
  file: DescFile;
}

export const AUDITED_CONTEXTS: readonly AuditedContext[] = [
  { context: "identity", file: file_shopmesh_identity_v1_events },
  { context: "catalog", file: file_shopmesh_catalog_v1_events },
  { context: "inventory", file: file_shopmesh_inventory_v1_events },
  { context: "cart", file: file_shopmesh_cart_v1_events },
  { context: "order", file: file_shopmesh_order_v1_events },
  { context: "payment", file: file_shopmesh_payment_v1_events },
  { context: "shipping", file: file_shopmesh_shipping_v1_events },
  { context: "notification", file: file_shopmesh_notification_v1_events },
];

/** The event messages of one context. */
export function eventSchemas(context: AuditedContext): readonly DescMessage[] {
  return context.file.messages;
}

/** Every event message of every audited context, by proto full name (ce-type). */
export const EVENT_REGISTRY: Registry = createRegistry(...AUDITED_CONTEXTS.map((entry) => entry.file));

/** The schema of `type` when it is an event of `context`; other types are not audited from that stream. */
export function eventSchema(context: AuditedContext, type: string): DescMessage | undefined {
  return eventSchemas(context).find((schema) => schema.typeName === type);
}
