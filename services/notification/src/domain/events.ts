import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";

/**
 * An event a domain function decided to record: the proto schema of a notification event
 * (shopmesh/notification/v1/events.proto), the message, and the aggregate it is about (the
 * CloudEvents `ce-subject`: the user id for inbox events, the delivery id for delivery events).
 * The caller writes them to the outbox in the same transaction as the state they came with.
 */
export interface DomainEvent<Desc extends DescMessage = DescMessage> {
  readonly type: Desc;
  readonly data: MessageShape<Desc>;
  readonly subject: string;
}

/** Creates a DomainEvent, typed by its schema. */
export function domainEvent<Desc extends DescMessage>(
  type: Desc,
  subject: string,
  init: MessageInitShape<Desc>,
): DomainEvent<Desc> {
  return { type, data: create(type, init), subject };
}
