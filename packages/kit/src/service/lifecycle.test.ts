import { describe, expect, it } from "vitest";
import { createLifecycle } from "./lifecycle.ts";

describe("createLifecycle", () => {
  it("undoes the steps last-registered first", async () => {
    const lifecycle = createLifecycle();
    const order: string[] = [];
    lifecycle.defer(() => order.push("db"));
    lifecycle.defer(async () => order.push("nats"));
    lifecycle.defer(() => order.push("keys"));
    await lifecycle.undo();
    expect(order).toEqual(["keys", "nats", "db"]);
  });

  it("keeps undoing when a step throws or rejects", async () => {
    const lifecycle = createLifecycle();
    const order: string[] = [];
    lifecycle.defer(() => order.push("db"));
    lifecycle.defer(() => {
      throw new Error("nats will not close");
    });
    lifecycle.defer(() => Promise.reject(new Error("relay will not stop")));
    lifecycle.defer(() => order.push("sweeper"));
    await expect(lifecycle.undo()).resolves.toBeUndefined();
    expect(order).toEqual(["sweeper", "db"]);
  });

  it("runs each step only once, however often it is undone", async () => {
    const lifecycle = createLifecycle();
    let closed = 0;
    lifecycle.defer(() => closed++);
    await lifecycle.undo();
    await lifecycle.undo();
    expect(closed).toBe(1);
  });

  it("undoes what a failed build opened and rethrows its error", async () => {
    const lifecycle = createLifecycle();
    const order: string[] = [];
    const failure = new Error("NATS is down");
    const built = lifecycle.build(async () => {
      lifecycle.defer(() => order.push("db"));
      throw failure;
    });
    await expect(built).rejects.toBe(failure);
    expect(order).toEqual(["db"]);
  });

  it("leaves a successful build open", async () => {
    const lifecycle = createLifecycle();
    const order: string[] = [];
    const value = await lifecycle.build(async () => {
      lifecycle.defer(() => order.push("db"));
      return 42;
    });
    expect(value).toBe(42);
    expect(order).toEqual([]);
    await lifecycle.undo();
    expect(order).toEqual(["db"]);
  });
});
