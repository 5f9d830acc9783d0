import { create, toBinary } from "@bufbuild/protobuf";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, headers as natsHeaders } from "@nats-io/transport-node";
import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEventHeaders } from "../src/events/envelope.ts";
import { ensureStream, eventSubject, readStreamEvents, streamState } from "../src/events/index.ts";
import { connectTestNats, deleteStreams, testPrefix } from "../src/testing/index.ts";

describe("stream reader", () => {
  let nats: NatsConnection;
  const prefix = testPrefix();

  beforeAll(async () => {
    nats = await connectTestNats();
    await ensureStream(await jetstreamManager(nats), prefix, "identity");
    const js = jetstream(nats);
    for (let n = 1; n <= 5; n++) {
      const h = natsHeaders();
      const envelope = buildEventHeaders({
        id: `event-${n}`,
        context: "identity",
        type: UserRegisteredSchema.typeName,
        aggregateId: `user-${n}`,
        time: new Date(Date.UTC(2026, 0, n)),
        meta: { actor: "service:test" },
      });
      for (const [key, value] of Object.entries(envelope)) h.set(key, value);
      const body = toBinary(UserRegisteredSchema, create(UserRegisteredSchema, { userId: `user-${n}` }));
      await js.publish(eventSubject(prefix, "identity", UserRegisteredSchema), body, { headers: h });
    }
  });

  afterAll(async () => {
    await deleteStreams(prefix, nats);
    await nats.close();
  });

  it("tells where a stream stands, and that a stream does not exist", async () => {
    expect(await streamState(nats, prefix, "identity")).toMatchObject({
      stream: `${prefix.toUpperCase()}_IDENTITY`,
      firstSeq: 1,
      lastSeq: 5,
      messages: 5,
    });
    expect(await streamState(nats, prefix, "order")).toBeUndefined();
  });

  it("reads a range of sequences with their envelopes, in batches", async () => {
    const events = [];
    for await (const event of readStreamEvents(nats, prefix, "identity", {
      fromSeq: 2,
      toSeq: 4,
      batchSize: 2,
    })) {
      events.push(event);
    }
    expect(events.map((event) => [event.seq, event.envelope.id, event.envelope.subject])).toEqual([
      [2, "event-2", "user-2"],
      [3, "event-3", "user-3"],
      [4, "event-4", "user-4"],
    ]);
    expect(events[0]!.envelope.time).toEqual(new Date(Date.UTC(2026, 0, 2)));
    expect(events[0]!.publishTime).toBeInstanceOf(Date);
  });

  it("stops at the end of the stream and reads nothing for an empty range", async () => {
    const seqs: number[] = [];
    for await (const event of readStreamEvents(nats, prefix, "identity", { fromSeq: 4, toSeq: 99 })) {
      seqs.push(event.seq);
    }
    expect(seqs).toEqual([4, 5]);
    for await (const _ of readStreamEvents(nats, prefix, "identity", { fromSeq: 3, toSeq: 2 })) {
      throw new Error("nothing expected");
    }
  });
});
