import { DomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import {
  type AdjustmentInput,
  adjustStock,
  checkAdjustment,
  reasonFromProto,
  reasonToProto,
  type StockLevel,
} from "./stock.ts";

const level: StockLevel = { sku: "A", warehouseId: "w1", onHand: 10, reserved: 4, updateTime: new Date(0) };
const context = {
  id: "adj-1",
  actor: "user:u1",
  now: new Date(1_000),
  requestId: null,
  lowStockThreshold: 3,
};

const fields = (input: AdjustmentInput) => checkAdjustment(input).map((v) => v.field);

describe("checkAdjustment", () => {
  it("requires a delta whose sign fits the reason", () => {
    expect(fields({ reason: "received", change: { kind: "delta", delta: 3 }, note: "" })).toEqual([]);
    expect(fields({ reason: "received", change: { kind: "delta", delta: -3 }, note: "" })).toEqual(["delta"]);
    expect(fields({ reason: "returned", change: { kind: "delta", delta: -1 }, note: "" })).toEqual(["delta"]);
    expect(fields({ reason: "damaged", change: { kind: "delta", delta: 1 }, note: "" })).toEqual(["delta"]);
    expect(fields({ reason: "correction", change: { kind: "delta", delta: -1 }, note: "" })).toEqual([]);
    expect(fields({ reason: "correction", change: { kind: "delta", delta: 0 }, note: "" })).toEqual([
      "delta",
    ]);
    expect(fields({ reason: "damaged", change: { kind: "count", counted: 1 }, note: "" })).toEqual(["delta"]);
  });

  it("requires a non-negative counted quantity for COUNTED, and a reason", () => {
    expect(fields({ reason: "counted", change: { kind: "count", counted: 0 }, note: "" })).toEqual([]);
    expect(fields({ reason: "counted", change: { kind: "count", counted: -1 }, note: "" })).toEqual([
      "countedQuantity",
    ]);
    expect(fields({ reason: "counted", change: { kind: "delta", delta: 1 }, note: "" })).toEqual([
      "countedQuantity",
    ]);
    expect(fields({ reason: undefined, change: undefined, note: "x".repeat(501) })).toEqual([
      "reason",
      "note",
    ]);
  });
});

describe("adjustStock", () => {
  it("adds a delta and records the adjustment with on hand after it", () => {
    const change = adjustStock(
      level,
      { reason: "received", change: { kind: "delta", delta: 5 }, note: " PO 1 " },
      context,
    );
    expect(change.level).toMatchObject({ onHand: 15, reserved: 4, updateTime: context.now });
    expect(change.adjustment).toMatchObject({
      delta: 5,
      onHandAfter: 15,
      note: "PO 1",
      actor: "user:u1",
      reason: "received",
    });
    expect(change.events[0]!.data).toMatchObject({
      adjustment: { delta: 5n, reason: reasonToProto("received") },
      stockLevel: { onHand: 15n, reserved: 4n, available: 11n, lowStockThreshold: 3n },
    });
  });

  it("sets on hand to a count and records the difference, 0 included", () => {
    expect(
      adjustStock(level, { reason: "counted", change: { kind: "count", counted: 6 }, note: "" }, context)
        .adjustment.delta,
    ).toBe(-4);
    const confirmed = adjustStock(
      level,
      { reason: "counted", change: { kind: "count", counted: 10 }, note: "" },
      context,
    );
    expect(confirmed.adjustment).toMatchObject({ delta: 0, onHandAfter: 10 });
  });

  it("refuses to take on hand below the reserved units", () => {
    for (const input of [
      { reason: "damaged", change: { kind: "delta", delta: -7 }, note: "" },
      { reason: "counted", change: { kind: "count", counted: 3 }, note: "" },
    ] as const) {
      expect(() => adjustStock(level, input, context)).toThrow(
        expect.objectContaining({ kind: "failed_precondition", reason: "INVALID_STATE" }),
      );
    }
    expect(
      adjustStock(level, { reason: "damaged", change: { kind: "delta", delta: -6 }, note: "" }, context).level
        .onHand,
    ).toBe(4);
  });

  it("throws invalid for an unchecked bad request", () => {
    expect(() => adjustStock(level, { reason: "received", change: undefined, note: "" }, context)).toThrow(
      DomainError,
    );
  });
});

describe("reasons", () => {
  it("map to and from the proto enum", () => {
    for (const reason of ["received", "damaged", "counted", "returned", "correction"] as const) {
      expect(reasonFromProto(reasonToProto(reason))).toBe(reason);
    }
    expect(reasonFromProto(0)).toBeUndefined();
    expect(reasonFromProto(99)).toBeUndefined();
  });
});
