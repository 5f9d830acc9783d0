import { ErrorInfoSchema } from "@shopmesh/contracts/google/rpc/error_details_pb";
import {
  LowStockSchema,
  ReservationCommittedSchema,
  ReservationReleasedSchema,
  StockAdjustedSchema,
  StockReservedSchema,
} from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { ReservationState, type StockLevel } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReservationSweeper } from "../src/sweeper.ts";
import { Code, failure, orderId, startInventory, type TestInventory } from "./support.ts";

let t: TestInventory;

beforeAll(async () => {
  t = await startInventory();
});

afterAll(async () => {
  await t?.stop();
});

async function levels(sku: string): Promise<StockLevel[]> {
  return (await t.client.listStockLevels({ sku }, t.admin)).stockLevels;
}

function totals(list: StockLevel[]) {
  return list.reduce(
    (sum, level) => ({
      onHand: sum.onHand + level.onHand,
      reserved: sum.reserved + level.reserved,
      available: sum.available + level.available,
    }),
    { onHand: 0n, reserved: 0n, available: 0n },
  );
}

async function available(sku: string): Promise<bigint> {
  const { items } = await t.client.getAvailability({ skus: [sku] });
  return items[0]!.available;
}

describe("Reserve under concurrency", () => {
  it("never oversells: of 100 concurrent 1-unit reservations for 10 units in two warehouses, exactly 10 succeed", async () => {
    const north = await t.warehouse();
    const south = await t.warehouse();
    await t.receive("LAST-UNITS", north.id, 6);
    await t.receive("LAST-UNITS", south.id, 4);

    const orders = Array.from({ length: 100 }, () => orderId());
    const outcomes = await Promise.allSettled(
      orders.map((id) => t.order.reserve({ orderId: id, lines: [{ sku: "LAST-UNITS", quantity: 1n }] })),
    );

    const won = outcomes.filter((o) => o.status === "fulfilled");
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(won).toHaveLength(10);
    expect(lost).toHaveLength(90);
    for (const { reason } of lost) {
      expect(reason.code).toBe(Code.FailedPrecondition);
      expect(errorReason(reason)).toBe("OUT_OF_STOCK");
    }

    const after = totals(await levels("LAST-UNITS"));
    expect(after).toEqual({ onHand: 10n, reserved: 10n, available: 0n });
    expect(await available("LAST-UNITS")).toBe(0n);
    expect(await t.events(StockReservedSchema)).toHaveLength(10);

    // Every unit is held by exactly one reservation, in the warehouse that has it.
    const held = new Map<string, bigint>();
    for (const outcome of won) {
      const reservation = (outcome as PromiseFulfilledResult<Awaited<ReturnType<typeof t.order.reserve>>>)
        .value.reservation!;
      expect(reservation.state).toBe(ReservationState.ACTIVE);
      for (const allocation of reservation.lines[0]!.allocations) {
        held.set(allocation.warehouseId, (held.get(allocation.warehouseId) ?? 0n) + allocation.quantity);
      }
    }
    expect(Object.fromEntries(held)).toEqual({ [north.id]: 6n, [south.id]: 4n });

    // Committing them takes the units out of the warehouses; nothing else moves.
    const committed = orders.filter((_, i) => outcomes[i]!.status === "fulfilled");
    await Promise.all(committed.map((id) => t.order.commitReservation({ orderId: id })));
    expect(totals(await levels("LAST-UNITS"))).toEqual({ onHand: 0n, reserved: 0n, available: 0n });
  });

  it("answers concurrent retries of one order with one reservation and reserves once", async () => {
    const warehouse = await t.warehouse();
    await t.receive("RETRIED", warehouse.id, 5);
    const id = orderId();
    const request = { orderId: id, lines: [{ sku: "RETRIED", quantity: 2n }] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.order.reserve(request)));
    for (const answer of answers) expect(answer.reservation).toEqual(answers[0]!.reservation);
    expect(totals(await levels("RETRIED"))).toMatchObject({ reserved: 2n, available: 3n });
    expect(await t.events(StockReservedSchema, id)).toHaveLength(1);
  });

  it("never deadlocks: concurrent orders naming the same SKUs in opposite orders all reserve and commit", async () => {
    const north = await t.warehouse();
    const south = await t.warehouse();
    for (const sku of ["CROSS-A", "CROSS-B", "CROSS-C"]) {
      await t.receive(sku, north.id, 30);
      await t.receive(sku, south.id, 30);
    }
    // Two orders of 15 units per line and 22 of 1: 52 of each SKU's 60, from both warehouses.
    const orders = Array.from({ length: 24 }, (_, i) => ({
      orderId: orderId(),
      lines: (i % 2 === 0 ? ["CROSS-A", "CROSS-B", "CROSS-C"] : ["CROSS-C", "CROSS-B", "CROSS-A"]).map(
        (sku) => ({ sku, quantity: i < 2 ? 15n : 1n }),
      ),
    }));
    const reserved = await Promise.allSettled(orders.map((order) => t.order.reserve(order)));
    const errors = reserved.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    expect(errors).toEqual([]);
    await Promise.all(orders.map((order) => t.order.commitReservation({ orderId: order.orderId })));
    for (const sku of ["CROSS-A", "CROSS-B", "CROSS-C"]) {
      expect(totals(await levels(sku))).toEqual({ onHand: 8n, reserved: 0n, available: 8n });
    }
  });

  it("locks the stock before allocating when its writes keep finding the units taken, and still reserves", async () => {
    const warehouse = await t.warehouse();
    await t.receive("CONTENDED", warehouse.id, 5);
    const checkout = t.inventory.store.checkout;
    const write = checkout.reserve;
    let refused = 0;
    // Every optimistic write finds the units gone (as when other orders keep taking them).
    checkout.reserve = async () => {
      refused++;
      return { written: false };
    };
    try {
      const id = orderId();
      const { reservation } = await t.order.reserve({
        orderId: id,
        lines: [{ sku: "CONTENDED", quantity: 2n }],
      });
      expect(refused).toBe(3);
      expect(reservation!.state).toBe(ReservationState.ACTIVE);
      expect(totals(await levels("CONTENDED"))).toEqual({ onHand: 5n, reserved: 2n, available: 3n });
      expect(await t.events(StockReservedSchema, id)).toHaveLength(1);
    } finally {
      checkout.reserve = write;
    }
  });

  it("fires LowStock once when concurrent reservations cross a threshold", async () => {
    const one = await t.warehouse();
    const two = await t.warehouse();
    await t.receive("CROWDED", one.id, 30);
    await t.receive("CROWDED", two.id, 30);
    await t.client.setLowStockThreshold({ sku: "CROWDED", lowStockThreshold: 25n }, t.admin);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, () =>
        t.order.reserve({ orderId: orderId(), lines: [{ sku: "CROWDED", quantity: 1n }] }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
    expect(await available("CROWDED")).toBe(20n);
    const events = await t.events(LowStockSchema, "CROWDED");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ available: 24n, lowStockThreshold: 25n });
  });

  it("evaluates a threshold set between its read and its write", async () => {
    const warehouse = await t.warehouse();
    await t.receive("RACED", warehouse.id, 5);
    const checkout = t.inventory.store.checkout;
    const read = checkout.reserveSnapshot;
    // The read sees no threshold; an admin sets one before the write (5 available: not low yet).
    checkout.reserveSnapshot = async (...args) => {
      const snapshot = await read(...args);
      await t.client.setLowStockThreshold({ sku: "RACED", lowStockThreshold: 5n }, t.admin);
      return snapshot;
    };
    try {
      expect(await t.events(LowStockSchema, "RACED")).toEqual([]);
      await t.order.reserve({ orderId: orderId(), lines: [{ sku: "RACED", quantity: 1n }] });
    } finally {
      checkout.reserveSnapshot = read;
    }
    const events = await t.events(LowStockSchema, "RACED");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ available: 4n, lowStockThreshold: 5n });
  });
});

describe("Reserve", () => {
  it("is all-or-nothing: one short line fails the order and reserves nothing", async () => {
    const warehouse = await t.warehouse();
    await t.receive("PLENTY", warehouse.id, 50);
    await t.receive("SCARCE", warehouse.id, 1);
    const id = orderId();
    const error = await failure(
      t.order.reserve({
        orderId: id,
        lines: [
          { sku: "PLENTY", quantity: 3n },
          { sku: "SCARCE", quantity: 2n },
          { sku: "NEVER-STOCKED", quantity: 1n },
        ],
      }),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(errorReason(error)).toBe("OUT_OF_STOCK");
    const [info] = error.findDetails(ErrorInfoSchema);
    expect(info?.metadata).toEqual({ skus: "SCARCE,NEVER-STOCKED" });
    expect(error.rawMessage).toContain("SCARCE (requested 2, available 1)");

    expect(totals(await levels("PLENTY")).reserved).toBe(0n);
    expect(totals(await levels("SCARCE")).reserved).toBe(0n);
    expect((await failure(t.order.getReservation({ orderId: id }))).code).toBe(Code.NotFound);
    expect(await t.events(StockReservedSchema, id)).toEqual([]);
  });

  it("takes a whole order from the first warehouse that has all of it, else each line from the first that can fill it, else splits", async () => {
    const first = await t.warehouse({ priority: 1 });
    const second = await t.warehouse({ priority: 2 });
    await t.receive("ALLOC-A", first.id, 5);
    await t.receive("ALLOC-A", second.id, 5);
    await t.receive("ALLOC-B", second.id, 5);

    // Only the second warehouse has both: one parcel from there.
    const whole = await t.order.reserve({
      orderId: orderId(),
      lines: [
        { sku: "ALLOC-A", quantity: 2n },
        { sku: "ALLOC-B", quantity: 1n },
      ],
    });
    expect(whole.reservation!.lines.map((line) => line.allocations)).toEqual([
      [expect.objectContaining({ warehouseId: second.id, quantity: 2n })],
      [expect.objectContaining({ warehouseId: second.id, quantity: 1n })],
    ]);

    // 6 of ALLOC-A: neither has 6 (5 and 3 left), so split by priority.
    const split = await t.order.reserve({ orderId: orderId(), lines: [{ sku: "ALLOC-A", quantity: 6n }] });
    expect(split.reservation!.lines[0]!.allocations).toEqual([
      expect.objectContaining({ warehouseId: first.id, quantity: 5n }),
      expect.objectContaining({ warehouseId: second.id, quantity: 1n }),
    ]);
  });

  it("does not reserve from inactive warehouses", async () => {
    const closed = await t.warehouse({ active: false });
    await t.receive("CLOSED-ONLY", closed.id, 10);
    expect(await available("CLOSED-ONLY")).toBe(0n);
    const error = await failure(
      t.order.reserve({ orderId: orderId(), lines: [{ sku: "CLOSED-ONLY", quantity: 1n }] }),
    );
    expect(errorReason(error)).toBe("OUT_OF_STOCK");
  });

  it("answers a retry with the same reservation, refuses other lines for the same order, and records one StockReserved", async () => {
    const warehouse = await t.warehouse();
    await t.receive("IDEM", warehouse.id, 10);
    const id = orderId();
    const request = { orderId: id, lines: [{ sku: "IDEM", quantity: 4n }], ttlSeconds: 600 };
    const first = await t.order.reserve(request);
    const again = await t.order.reserve(request);
    expect(again.reservation).toEqual(first.reservation);
    expect(totals(await levels("IDEM")).reserved).toBe(4n);
    expect(await t.events(StockReservedSchema, id)).toHaveLength(1);

    const other = await failure(t.order.reserve({ orderId: id, lines: [{ sku: "IDEM", quantity: 5n }] }));
    expect(other.code).toBe(Code.AlreadyExists);
    expect(totals(await levels("IDEM")).reserved).toBe(4n);
  });

  it("holds stock for 900 seconds by default", async () => {
    const warehouse = await t.warehouse();
    await t.receive("TTL-DEFAULT", warehouse.id, 1);
    const before = Date.now();
    const { reservation } = await t.order.reserve({
      orderId: orderId(),
      lines: [{ sku: "TTL-DEFAULT", quantity: 1n }],
    });
    const expireMs = Number(reservation!.expireTime!.seconds) * 1000;
    expect(expireMs).toBeGreaterThanOrEqual(before + 899_000);
    expect(expireMs).toBeLessThanOrEqual(Date.now() + 901_000);
  });

  it("names every bad field", async () => {
    const error = await failure(
      t.order.reserve({
        orderId: "order-1",
        lines: [
          { sku: "A", quantity: 0n },
          { sku: "has space", quantity: 1n },
          { sku: "A", quantity: 1n },
        ],
        ttlSeconds: 100_000,
      }),
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(error).map((v) => v.field)).toEqual(["orderId"]);
    const lines = await failure(
      t.order.reserve({
        orderId: orderId(),
        lines: [
          { sku: "A", quantity: 0n },
          { sku: "has space", quantity: 1n },
          { sku: "A", quantity: 1n },
        ],
        ttlSeconds: 100_000,
      }),
    );
    expect(fieldViolations(lines).map((v) => v.field)).toEqual([
      "lines[0].quantity",
      "lines[1].sku",
      "lines[2].sku",
      "ttlSeconds",
    ]);
    expect(fieldViolations(await failure(t.order.reserve({ orderId: orderId(), lines: [] })))).toEqual([
      { field: "lines", description: "must not be empty" },
    ]);
  });
});

describe("CommitReservation", () => {
  it("takes the units from on hand and reserved, once, and records ReservationCommitted once", async () => {
    const warehouse = await t.warehouse();
    await t.receive("COMMIT", warehouse.id, 10);
    const id = orderId();
    await t.order.reserve({ orderId: id, lines: [{ sku: "COMMIT", quantity: 3n }] });
    expect(totals(await levels("COMMIT"))).toEqual({ onHand: 10n, reserved: 3n, available: 7n });

    const first = await t.order.commitReservation({ orderId: id });
    expect(first.reservation!.state).toBe(ReservationState.COMMITTED);
    const again = await t.order.commitReservation({ orderId: id });
    expect(again.reservation).toEqual(first.reservation);
    expect(totals(await levels("COMMIT"))).toEqual({ onHand: 7n, reserved: 0n, available: 7n });
    expect(await t.events(ReservationCommittedSchema, id)).toHaveLength(1);

    // A retried Reserve of a committed order still answers it, without reserving again.
    const retried = await t.order.reserve({ orderId: id, lines: [{ sku: "COMMIT", quantity: 3n }] });
    expect(retried.reservation!.state).toBe(ReservationState.COMMITTED);
    expect(totals(await levels("COMMIT"))).toEqual({ onHand: 7n, reserved: 0n, available: 7n });

    const release = await failure(t.order.releaseReservation({ orderId: id, reason: "order_cancelled" }));
    expect(release.code).toBe(Code.FailedPrecondition);
    expect(errorReason(release)).toBe("INVALID_STATE");
  });

  it("lets exactly one of a commit and a release racing for the same reservation win", async () => {
    const warehouse = await t.warehouse();
    await t.receive("RACE", warehouse.id, 50);
    const ids = Array.from({ length: 10 }, () => orderId());
    for (const id of ids) await t.order.reserve({ orderId: id, lines: [{ sku: "RACE", quantity: 2n }] });

    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const [commit, release] = await Promise.allSettled([
          t.order.commitReservation({ orderId: id }),
          t.order.releaseReservation({ orderId: id, reason: "raced" }),
        ]);
        return { id, committed: commit.status === "fulfilled", released: release.status === "fulfilled" };
      }),
    );
    let sold = 0n;
    for (const { id, committed, released } of outcomes) {
      expect(committed !== released, `order ${id}: exactly one wins`).toBe(true);
      const { reservation } = await t.order.getReservation({ orderId: id });
      expect(reservation!.state).toBe(committed ? ReservationState.COMMITTED : ReservationState.RELEASED);
      expect(await t.events(ReservationCommittedSchema, id)).toHaveLength(committed ? 1 : 0);
      expect(await t.events(ReservationReleasedSchema, id)).toHaveLength(released ? 1 : 0);
      if (committed) sold += 2n;
    }
    expect(totals(await levels("RACE"))).toEqual({ onHand: 50n - sold, reserved: 0n, available: 50n - sold });
  });

  it("writes its outbox rows as the kit's recorder does, and the relay publishes them", async () => {
    const warehouse = await t.warehouse();
    await t.receive("OUTBOX", warehouse.id, 5); // StockAdjusted, written through the ORM
    const id = orderId();
    await t.order.reserve({ orderId: id, lines: [{ sku: "OUTBOX", quantity: 1n }] });
    await t.order.commitReservation({ orderId: id });

    type Row = {
      id: string;
      type: string;
      subject: string;
      aggregateId: string;
      headers: unknown;
      createdAt: unknown;
    };
    const rows = await t.inventory.db.execute<Row>(
      `select id, type, subject, aggregate_id as "aggregateId", headers, created_at as "createdAt"
       from outbox_events where aggregate_id in (?, ?) order by id`,
      ["OUTBOX", id],
    );
    const byType = new Map(rows.map((row) => [row.type, row]));
    const adjusted = byType.get(StockAdjustedSchema.typeName)!;
    const written = [StockReservedSchema, ReservationCommittedSchema].map(
      (schema) => byType.get(schema.typeName)!,
    );
    expect(rows).toHaveLength(3);
    const headers = (row: Row) =>
      (typeof row.headers === "string" ? JSON.parse(row.headers) : row.headers) as Record<string, string>;
    for (const row of [adjusted, ...written]) {
      expect(row.subject.startsWith(`${t.prefix}.inventory.`)).toBe(true);
      expect(headers(row)).toMatchObject({
        "ce-id": row.id,
        "ce-type": row.type,
        "ce-subject": row.aggregateId,
        "ce-source": "shopmesh/inventory",
        "ce-datacontenttype": "application/protobuf",
      });
      expect(new Date(headers(row)["ce-time"]!).getTime()).toBe(new Date(String(row.createdAt)).getTime());
    }
    for (const row of written)
      expect(Object.keys(headers(row)).sort()).toEqual(Object.keys(headers(adjusted)).sort());
    expect(written.map((row) => row.subject)).toEqual([
      `${t.prefix}.inventory.stock_reserved`,
      `${t.prefix}.inventory.reservation_committed`,
    ]);

    await waitFor(
      async () => {
        const [row] = await t.inventory.db.execute<{ unsent: unknown }>(
          "select count(*) as unsent from outbox_events where aggregate_id in (?, ?) and published_at is null",
          ["OUTBOX", id],
        );
        return Number(row?.unsent) === 0;
      },
      { timeoutMs: 8_000, intervalMs: 50, message: "the relay publishes the rows" },
    );
  });

  it("answers NOT_FOUND for an order without a reservation", async () => {
    expect((await failure(t.order.commitReservation({ orderId: orderId() }))).code).toBe(Code.NotFound);
    expect((await failure(t.order.releaseReservation({ orderId: orderId() }))).code).toBe(Code.NotFound);
  });
});

describe("ReleaseReservation", () => {
  it("gives the units back once, keeps the first reason, and refuses a later commit", async () => {
    const warehouse = await t.warehouse();
    await t.receive("RELEASE", warehouse.id, 5);
    const id = orderId();
    await t.order.reserve({ orderId: id, lines: [{ sku: "RELEASE", quantity: 5n }] });
    expect(await available("RELEASE")).toBe(0n);

    const first = await t.order.releaseReservation({ orderId: id, reason: "payment_declined" });
    expect(first.reservation).toMatchObject({
      state: ReservationState.RELEASED,
      releaseReason: "payment_declined",
    });
    const again = await t.order.releaseReservation({ orderId: id, reason: "retry" });
    expect(again.reservation).toEqual(first.reservation);
    expect(totals(await levels("RELEASE"))).toEqual({ onHand: 5n, reserved: 0n, available: 5n });
    const events = await t.events(ReservationReleasedSchema, id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ orderId: id, reason: "payment_declined" });

    const commit = await failure(t.order.commitReservation({ orderId: id }));
    expect(commit.code).toBe(Code.FailedPrecondition);
    expect(errorReason(commit)).toBe("INVALID_STATE");
    const reserve = await failure(
      t.order.reserve({ orderId: id, lines: [{ sku: "RELEASE", quantity: 5n }] }),
    );
    expect(errorReason(reserve)).toBe("INVALID_STATE");
    expect(await available("RELEASE")).toBe(5n);
  });
});

describe("expiry", () => {
  it("releases reservations whose time is up in the background, giving the units back", async () => {
    const sweeping = await startInventory({ sweepMs: 100 });
    try {
      const warehouse = await sweeping.warehouse();
      await sweeping.receive("EXPIRES", warehouse.id, 3);
      const id = orderId();
      await sweeping.order.reserve({ orderId: id, lines: [{ sku: "EXPIRES", quantity: 2n }], ttlSeconds: 1 });
      const kept = orderId();
      await sweeping.order.reserve({
        orderId: kept,
        lines: [{ sku: "EXPIRES", quantity: 1n }],
        ttlSeconds: 600,
      });
      expect((await sweeping.client.getAvailability({ skus: ["EXPIRES"] })).items[0]!.available).toBe(0n);

      const expired = await waitForState(sweeping, id, ReservationState.EXPIRED);
      expect(expired.releaseReason).toBe("expired");
      expect((await sweeping.client.getAvailability({ skus: ["EXPIRES"] })).items[0]!.available).toBe(2n);
      const events = await sweeping.events(ReservationReleasedSchema, id);
      expect(events).toHaveLength(1);
      expect(events[0]!.reason).toBe("expired");
      expect((await sweeping.order.getReservation({ orderId: kept })).reservation!.state).toBe(
        ReservationState.ACTIVE,
      );

      const commit = await failure(sweeping.order.commitReservation({ orderId: id }));
      expect(errorReason(commit)).toBe("INVALID_STATE");
      // Releasing an expired reservation (a saga compensating late) is a no-op.
      const release = await sweeping.order.releaseReservation({ orderId: id, reason: "payment_declined" });
      expect(release.reservation!.state).toBe(ReservationState.EXPIRED);
    } finally {
      await sweeping.stop();
    }
  });

  it("refuses to commit a reservation past its expiry time before the sweeper got to it", async () => {
    const warehouse = await t.warehouse();
    await t.receive("LATE", warehouse.id, 1);
    const id = orderId();
    await t.order.reserve({ orderId: id, lines: [{ sku: "LATE", quantity: 1n }], ttlSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const error = await failure(t.order.commitReservation({ orderId: id }));
    expect(errorReason(error)).toBe("INVALID_STATE");
    expect(error.rawMessage).toContain("expired");
  });

  it("expires each reservation exactly once when several sweepers run at once", async () => {
    const warehouse = await t.warehouse();
    await t.receive("SWEPT", warehouse.id, 30);
    const ids = Array.from({ length: 30 }, () => orderId());
    for (const id of ids) {
      await t.order.reserve({ orderId: id, lines: [{ sku: "SWEPT", quantity: 1n }], ttlSeconds: 1 });
    }
    const later = new Date(Date.now() + 2_000);
    // Three replicas' sweeps at the same moment, in batches of 4 so they contend for rows.
    const sweepers = [1, 2, 3].map(() =>
      createReservationSweeper({
        store: t.inventory.store,
        logger: t.inventory.logger,
        intervalMs: 60_000,
        batchSize: 4,
      }),
    );
    const releasedBefore = (await t.events(ReservationReleasedSchema)).length;
    const counts = await Promise.all(sweepers.map((sweeper) => sweeper.sweep(later)));
    const swept = counts.reduce((a, b) => a + b, 0);
    // 30 here, plus any reservation of an earlier test whose time is up by `later`.
    expect(swept).toBeGreaterThanOrEqual(30);
    expect((await t.events(ReservationReleasedSchema)).length - releasedBefore).toBe(swept);
    expect(await sweepers[0]!.sweep(later)).toBe(0);
    expect(totals(await levels("SWEPT"))).toEqual({ onHand: 30n, reserved: 0n, available: 30n });
    for (const id of ids) expect(await t.events(ReservationReleasedSchema, id)).toHaveLength(1);
  });
});

describe("GetReservation", () => {
  it("shows staff with orders.read and services a reservation, and no one else", async () => {
    const warehouse = await t.warehouse();
    await t.receive("VISIBLE", warehouse.id, 1);
    const id = orderId();
    await t.order.reserve({ orderId: id, lines: [{ sku: "VISIBLE", quantity: 1n }] });
    const { reservation } = await t.client.getReservation({ orderId: id }, t.support);
    expect(reservation).toMatchObject({ orderId: id, state: ReservationState.ACTIVE });
    expect(reservation!.lines[0]).toMatchObject({ sku: "VISIBLE", quantity: 1n });
    expect((await failure(t.client.getReservation({ orderId: id }, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
  });

  it("lets only services reserve, commit and release", async () => {
    const id = orderId();
    const lines = [{ sku: "ANY", quantity: 1n }];
    expect((await failure(t.client.reserve({ orderId: id, lines }))).code).toBe(Code.Unauthenticated);
    expect((await failure(t.client.reserve({ orderId: id, lines }, t.admin))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(t.client.commitReservation({ orderId: id }, t.admin))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(t.client.releaseReservation({ orderId: id }, t.customer))).code).toBe(
      Code.PermissionDenied,
    );
  });
});

/** Polls GetReservation until the reservation reaches `state`. */
function waitForState(target: TestInventory, id: string, state: ReservationState) {
  return waitFor(
    async () => {
      const { reservation } = await target.order.getReservation({ orderId: id });
      return reservation?.state === state && reservation;
    },
    { timeoutMs: 8_000, intervalMs: 50, message: `reservation ${id} ${ReservationState[state]}` },
  );
}
