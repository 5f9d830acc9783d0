import type { DescMessage, Message } from "@bufbuild/protobuf";
import type { ChainedFields } from "./chain.ts";
import { summarize } from "./summary.ts";

/** One consumed (or replayed) event, as the audit log and the projections see it. */
export interface AuditedEvent {
  /** ce-id. */
  id: string;
  /** ce-type: the proto full name. */
  type: string;
  /** The publishing context whose stream it came from. */
  context: string;
  /** ce-subject. */
  subject: string;
  /** ce-time. */
  time: Date;
  /** shopmesh-actor; "" when the publisher named none. */
  actor: string;
  correlationId: string;
  causationId: string;
  schema: DescMessage;
  data: Message;
}

/** The fields of the audit entry of `event`; the chain adds the sequence and hashes when it is appended. */
export function entryFields(event: AuditedEvent): Omit<ChainedFields, "sequence" | "recordTime"> {
  return {
    eventId: event.id,
    eventType: event.type,
    context: event.context,
    actor: event.actor,
    subject: event.subject,
    // Milliseconds are what ce-time carries and what survives the round trip through timestamptz.
    eventTime: new Date(event.time.getTime()),
    correlationId: event.correlationId,
    causationId: event.causationId,
    payloadSummary: summarize(event.schema, event.data),
  };
}
