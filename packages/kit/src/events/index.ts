export type { PublishAck } from "./ack-publisher.ts";
export { connectNats, type NatsConnection, type NatsOptions } from "./connect.ts";
export type {
  ConsumedEvent,
  ConsumeOutcome,
  ConsumerOptions,
  DbConsumerOptions,
  EventConsumer,
  EventHandler,
  EventHandlers,
  HandlerEntry,
  PlainConsumerOptions,
} from "./consumer.ts";
export { createConsumer, on } from "./consumer.ts";
export { type DomainEvent, domainEvent } from "./domain-event.ts";
export type { Envelope, EventMeta } from "./envelope.ts";
export { causedBy, EventHeaders, PROTOBUF_CONTENT_TYPE, readEnvelope } from "./envelope.ts";
export { actorOf, createEventWriter, eventMeta, type RecordEvents } from "./event-writer.ts";
export {
  contextSubjects,
  DEFAULT_PREFIX,
  deadLetterStreamName,
  deadLetterSubject,
  eventSubject,
  snakeCase,
  streamName,
} from "./naming.ts";
export type { OutboxRelay, OutboxRelayOptions } from "./outbox-relay.ts";
export { createOutboxRelay } from "./outbox-relay.ts";
export {
  createOutboxRows,
  type OutboxRow,
  type OutboxRows,
  outboxInsert,
  outboxInsertAt,
  outboxRow,
  outboxValues,
} from "./outbox-rows.ts";
export type { EventPublisher, EventPublisherOptions, PublishEventInput } from "./publish.ts";
export { createEventPublisher, derivedEventId } from "./publish.ts";
export type { EventRecorder, RecordEventOptions } from "./record-event.ts";
export { createEventRecorder, recordEvent } from "./record-event.ts";
export type { ReadStreamOptions, StoredEvent, StreamState } from "./stream-reader.ts";
export { readStreamEvents, streamState } from "./stream-reader.ts";
export type { StreamOptions } from "./streams.ts";
export { ensureDeadLetterStream, ensureStream } from "./streams.ts";
export { EVENTS_MIGRATIONS, OutboxEvent, outboxEntities } from "./tables.ts";
