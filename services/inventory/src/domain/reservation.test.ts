import { describe, expect, it } from "vitest";
import type { AllocatedLine } from "./allocation.ts";
import {
  checkReserveInput,
  commitReservation,
  createReservation,
  mergeDeltas,
  outOfStock,
  type Reservation,
  releaseReservation,
  repeatReserve,
  stockDeltas,
} from "./reservation.ts";

const NOW = new Date("2030-01-01T00:00:00Z");
const LINES: AllocatedLine[] = [
  {
    sku: "B",
    quantity: 3,
    allocations: [
      { warehouseId: "w2", quantity: 1 },
      { warehouseId: "w1", quantity: 2 },
    ],
  },
  { sku: "A", quantity: 1, allocations: [{ warehouseId: "w1", quantity: 1 }] },
];
const active = (): Reservation => createReservation("order-1", LINES, 60, NOW).reservation;

describe("checkReserveInput", () => {
  it("names empty, repeated and bad lines and a bad TTL", () => {
    expect(checkReserveInput({ lines: [], ttlSeconds: 0 }).map((v) => v.field)).toEqual(["lines"]);
    const violations = checkReserveInput({
      lines: [
        { sku: "A", quantity: 1 },
        { sku: "A", quantity: 2 },
        { sku: "B C", quantity: 0 },
        { sku: "D", quantity: Number.NaN },
      ],
      ttlSeconds: -1,
    });
    expect(violations.map((v) => v.field)).toEqual([
      "lines[1].sku",
      "lines[2].sku",
      "lines[2].quantity",
      "lines[3].quantity",
      "ttlSeconds",
    ]);
    expect(
      checkReserveInput({
        lines: Array.from({ length: 201 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })),
        ttlSeconds: 0,
      }).map((v) => v.field),
    ).toEqual(["lines"]);
  });
});

describe("createReservation", () => {
  it("holds for the TTL, 900 s by default, and records StockReserved", () => {
    expect(active().expireTime).toEqual(new Date("2030-01-01T00:01:00Z"));
    const change = createReservation("order-1", LINES, 0, NOW);
    expect(change.reservation).toMatchObject({
      state: "active",
      expireTime: new Date("2030-01-01T00:15:00Z"),
    });
    expect(change.events[0]!.data).toMatchObject({
      orderId: "order-1",
      lines: [{ sku: "B", quantity: 3n }, { sku: "A" }],
    });
  });
});

describe("repeatReserve", () => {
  it("answers the reservation for the same lines in any order, ALREADY_EXISTS for others", () => {
    const reservation = active();
    const same = [
      { sku: "A", quantity: 1 },
      { sku: "B", quantity: 3 },
    ];
    expect(repeatReserve(reservation, same, NOW)).toBe(reservation);
    expect(() => repeatReserve(reservation, [{ sku: "A", quantity: 1 }], NOW)).toThrow(
      expect.objectContaining({ kind: "already_exists" }),
    );
    expect(() =>
      repeatReserve(
        reservation,
        [
          { sku: "A", quantity: 2 },
          { sku: "B", quantity: 3 },
        ],
        NOW,
      ),
    ).toThrow(expect.objectContaining({ kind: "already_exists" }));
  });

  it("refuses released, expired and past-expiry reservations", () => {
    const same = LINES.map(({ sku, quantity }) => ({ sku, quantity }));
    const released = releaseReservation(active(), "x", NOW).reservation;
    expect(() => repeatReserve(released, same, NOW)).toThrow(
      expect.objectContaining({ reason: "INVALID_STATE" }),
    );
    expect(() => repeatReserve(active(), same, new Date("2030-01-01T00:01:00Z"))).toThrow(
      expect.objectContaining({ reason: "INVALID_STATE" }),
    );
  });
});

describe("transitions", () => {
  it("commits an active reservation once", () => {
    const committed = commitReservation(active(), NOW);
    expect(committed.reservation.state).toBe("committed");
    expect(committed.events).toHaveLength(1);
    const again = commitReservation(committed.reservation, NOW);
    expect(again).toEqual({ reservation: committed.reservation, events: [] });
    expect(() => releaseReservation(committed.reservation, "x", NOW)).toThrow(
      expect.objectContaining({ reason: "INVALID_STATE" }),
    );
  });

  it("refuses to commit after the expiry time or after a release", () => {
    expect(() => commitReservation(active(), new Date("2030-01-01T00:01:00Z"))).toThrow(/expired/);
    const released = releaseReservation(active(), "", NOW).reservation;
    expect(released).toMatchObject({ state: "released", releaseReason: "released" });
    expect(() => commitReservation(released, NOW)).toThrow(
      expect.objectContaining({ reason: "INVALID_STATE" }),
    );
  });

  it("expires with reason expired, and a second release changes nothing", () => {
    const expired = releaseReservation(active(), "ignored", NOW, { expire: true });
    expect(expired.reservation).toMatchObject({ state: "expired", releaseReason: "expired" });
    expect(expired.events[0]!.data).toMatchObject({ reason: "expired" });
    const again = releaseReservation(expired.reservation, "late", NOW);
    expect(again).toEqual({ reservation: expired.reservation, events: [] });
  });
});

describe("stock deltas", () => {
  it("lists held units in lock order and sums those of the same level", () => {
    expect(stockDeltas(LINES)).toEqual([
      { sku: "A", warehouseId: "w1", quantity: 1 },
      { sku: "B", warehouseId: "w1", quantity: 2 },
      { sku: "B", warehouseId: "w2", quantity: 1 },
    ]);
    expect(mergeDeltas([...stockDeltas(LINES), { sku: "A", warehouseId: "w1", quantity: 4 }])[0]).toEqual({
      sku: "A",
      warehouseId: "w1",
      quantity: 5,
    });
  });
});

describe("outOfStock", () => {
  it("carries OUT_OF_STOCK and the short SKUs", () => {
    const error = outOfStock([
      { sku: "A", requested: 2, available: 1 },
      { sku: "B", requested: 1, available: 0 },
    ]);
    expect(error).toMatchObject({
      kind: "failed_precondition",
      reason: "OUT_OF_STOCK",
      metadata: { skus: "A,B" },
    });
    expect(error.message).toBe(
      "not enough stock: A (requested 2, available 1), B (requested 1, available 0)",
    );
  });
});
