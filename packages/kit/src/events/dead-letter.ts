import { create, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { JetStreamClient, JsMsg, PubAck } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import { type DeadLetter, DeadLetterSchema } from "@shopmesh/contracts/shopmesh/common/v1/events_pb";
import { newId } from "../ids/index.ts";
import { buildEventHeaders, readEnvelope } from "./envelope.ts";
import { deadLetterSubject } from "./naming.ts";

export interface DeadLetterInput {
  prefix: string;
  durable: string;
  msg: JsMsg;
  reason: string;
  eventId: string;
  eventType: string;
}

/**
 * Publishes the failed message as a `shopmesh.common.v1.DeadLetter` (original body and headers
 * inside) to `<prefix>.dlq.<durable>`. The message id is derived from the event, so a dead letter
 * published again after a crash is dropped as a duplicate.
 */
export function publishDeadLetter(js: JetStreamClient, input: DeadLetterInput): Promise<PubAck> {
  const { msg } = input;
  const envelope = readEnvelope(msg.headers);
  const letter: DeadLetter = create(DeadLetterSchema, {
    eventId: input.eventId,
    eventType: input.eventType,
    subject: msg.subject,
    stream: msg.info.stream,
    consumer: input.durable,
    reason: input.reason,
    deliveries: msg.info.deliveryCount,
    data: msg.data,
    headers: envelope.headers,
    failedTime: timestampNow(),
  });
  const key = input.eventId || `${msg.info.stream}:${msg.info.streamSequence}`;
  const h = natsHeaders();
  const envelopeHeaders = buildEventHeaders({
    id: newId(),
    context: "dlq",
    type: DeadLetterSchema.typeName,
    aggregateId: key,
    time: new Date(),
    meta: {
      ...envelope.meta,
      ...(input.eventId ? { causationId: input.eventId } : {}),
    },
  });
  for (const [name, value] of Object.entries(envelopeHeaders)) h.set(name, value);
  return js.publish(deadLetterSubject(input.prefix, input.durable), toBinary(DeadLetterSchema, letter), {
    msgID: `dlq:${input.durable}:${key}`,
    headers: h,
  });
}
