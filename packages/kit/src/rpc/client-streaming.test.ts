import { ConnectError } from "@connectrpc/connect";
import { EchoService } from "@shopmesh/contracts/shopmesh/testing/v1/echo_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../log/index.ts";
import { Code, createRpcClient, createRpcServer, type RpcServer, type ServiceHandlers } from "./index.ts";

const logger = createLogger({ service: "test", level: "silent" });
let received = 0;
let iterationError: unknown;
let handlerSignal: AbortSignal | undefined;

const handlers: ServiceHandlers<typeof EchoService> = {
  async echo(request) {
    return { message: request.message };
  },
  async echoOnce(request) {
    return { message: request.message };
  },
  async *echoStream() {},
  async echoCollect(requests, ctx) {
    const messages: string[] = [];
    received = 0;
    iterationError = undefined;
    handlerSignal = ctx.signal;
    try {
      for await (const request of requests) {
        received++;
        if (request.failCode) throw new ConnectError(`failed at ${request.message}`, request.failCode);
        messages.push(request.message);
      }
    } catch (error) {
      iterationError = error;
      throw error;
    }
    return { count: messages.length, messages: messages.join(",") };
  },
};

let server: RpcServer;
let address: string;

beforeAll(async () => {
  server = createRpcServer({ service: "echo", logger });
  server.add(EchoService, handlers, {
    echo: "public",
    echoOnce: "public",
    echoStream: "public",
    echoCollect: "public",
  });
  address = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
});

afterAll(async () => {
  await server.shutdown(100);
});

describe("client-streaming calls", () => {
  it("delivers every message of an array in order and returns the handler's answer", async () => {
    const client = createRpcClient(EchoService, { address });
    const answer = await client.echoCollect([{ message: "a" }, { message: "b" }, { message: "c" }]);
    expect(answer.count).toBe(3);
    expect(answer.messages).toBe("a,b,c");
    client.close();
  });

  it("streams 10,000 messages from an async iterable without losing or reordering any", async () => {
    const client = createRpcClient(EchoService, { address, timeoutMs: 30_000 });
    async function* many() {
      for (let index = 0; index < 10_000; index++) yield { message: `${index}`.padStart(40, "x") };
    }
    const answer = await client.echoCollect(many());
    expect(answer.count).toBe(10_000);
    const parts = answer.messages.split(",");
    expect(parts).toHaveLength(10_000);
    expect(parts[0]).toBe("0".padStart(40, "x"));
    expect(parts[9_999]).toBe("9999".padStart(40, "x"));
    client.close();
  });

  it("ends with an empty stream when the iterable is empty", async () => {
    const client = createRpcClient(EchoService, { address });
    const answer = await client.echoCollect([]);
    expect(answer.count).toBe(0);
    client.close();
  });

  it("rejects with the handler's error when it throws mid-stream", async () => {
    const client = createRpcClient(EchoService, { address, timeoutMs: 30_000 });
    async function* rows() {
      yield { message: "one" };
      yield { message: "two", failCode: Code.FailedPrecondition };
      // Rows after the failure: the server stops reading, the call still ends with its status.
      for (let index = 0; index < 5_000; index++) yield { message: `later-${index}` };
    }
    const error = await client.echoCollect(rows()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((error as ConnectError).rawMessage).toBe("failed at two");
    expect(received).toBe(2);
    client.close();
  });

  it("fails DEADLINE_EXCEEDED when the requests take longer than the deadline", async () => {
    const client = createRpcClient(EchoService, { address });
    async function* slow() {
      yield { message: "first" };
      await new Promise((resolve) => setTimeout(resolve, 500));
      yield { message: "late" };
    }
    const error = await client.echoCollect(slow(), { timeoutMs: 100 }).catch((caught: unknown) => caught);
    expect((error as ConnectError).code).toBe(Code.DeadlineExceeded);
    client.close();
  });

  it("aborts the handler's iteration and signal when the client cancels", async () => {
    const client = createRpcClient(EchoService, { address });
    const controller = new AbortController();
    async function* endless() {
      yield { message: "first" };
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
    const pending = client.echoCollect(endless(), { signal: controller.signal });
    await expect.poll(() => received).toBe(1);
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect((error as ConnectError).code).toBe(Code.Canceled);
    await expect.poll(() => (iterationError as ConnectError | undefined)?.code).toBe(Code.Canceled);
    expect(handlerSignal?.aborted).toBe(true);
    client.close();
  });

  it("rejects with the iterable's error and cancels the call when the iterable throws", async () => {
    const client = createRpcClient(EchoService, { address });
    async function* broken() {
      yield { message: "first" };
      throw new Error("source broke");
    }
    const error = await client.echoCollect(broken()).catch((caught: unknown) => caught);
    expect((error as ConnectError).rawMessage).toBe("source broke");
    client.close();
  });

  it("refuses a request message over the server's limit with RESOURCE_EXHAUSTED", async () => {
    const client = createRpcClient(EchoService, { address });
    const error = await client
      .echoCollect([{ message: "small" }, { message: "x".repeat(9 * 1024 * 1024) }])
      .catch((caught: unknown) => caught);
    expect((error as ConnectError).code).toBe(Code.ResourceExhausted);
    client.close();
  });
});
