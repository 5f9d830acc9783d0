import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";

/**
 * An event a domain function decided to record: the proto schema of one of the context's events
 * (shopmesh/<context>/v1/events.proto), the message, and the aggregate it is about (the
 * CloudEvents `ce-subject`). The caller writes it to the outbox in the same transaction as the
 * state it came with. Pure: domain modules import it from `@shopmesh/kit/domain-events`.
 */
export interface DomainEvent<Desc extends DescMessage = DescMessage> {
  readonly type: Desc;
  readonly data: MessageShape<Desc>;
  readonly subject: string;
}

/**
 * Creates a DomainEvent, typed by its schema.
 *
 * @example
 * domainEvent(LowStockSchema, sku, { sku, available: 3n, lowStockThreshold: 5n })
 */
export function domainEvent<Desc extends DescMessage>(
  type: Desc,
  subject: string,
  init: MessageInitShape<Desc>,
): DomainEvent<Desc> {
  return { type, data: create(type, init), subject };
}
