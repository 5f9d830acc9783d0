import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { applyShippingPrice, confirmOrder, markDelivered, type Order, refundOrder } from "./order.ts";
import {
  markReturnRefunded,
  type Return,
  requestReturn,
  returnableUnits,
  returnRefundAmount,
  reviewReturn,
} from "./returns.ts";
import { pendingOrder, T0 } from "./test-fixtures.ts";

const by = { actor: "user:staff", reason: "test" };

function delivered(): Order {
  const confirmed = confirmOrder(applyShippingPrice(pendingOrder(), 490n, T0), T0).order;
  return markDelivered(confirmed, by, T0).order;
}

function thrown(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (isDomainError(e)) return e;
    throw e;
  }
  throw new Error("expected a domain error");
}

describe("returns", () => {
  it("refunds the unit prices of the returned units, not shipping", () => {
    const order = delivered();
    expect(
      returnRefundAmount(order, [
        { sku: "A", quantity: 2 },
        { sku: "B", quantity: 1 },
      ]),
    ).toBe(2500n);
    const { ret, events } = requestReturn(
      order,
      { id: "r1", lines: [{ sku: "A", quantity: 1 }], reason: "too small" },
      [],
      T0,
    );
    expect(ret).toMatchObject({ status: "requested", refundAmount: 1000n, currency: "EUR" });
    expect(events.map((e) => e.type.name)).toEqual(["ReturnRequested"]);
  });

  it("allows at most what was bought, less what was returned and what open returns hold", () => {
    const order = delivered();
    const open: Return = requestReturn(
      order,
      { id: "r1", lines: [{ sku: "A", quantity: 1 }], reason: "" },
      [],
      T0,
    ).ret;
    expect(returnableUnits(order, [open]).get("A")).toBe(1);
    const tooMany = thrown(() =>
      requestReturn(order, { id: "r2", lines: [{ sku: "A", quantity: 2 }], reason: "" }, [open], T0),
    );
    expect(tooMany.kind).toBe("invalid");
    expect(tooMany.violations).toEqual([expect.objectContaining({ field: "lines[0].quantity" })]);
    // A rejected return gives its units back.
    const rejected = reviewReturn(open, false, "no", T0);
    expect(() =>
      requestReturn(order, { id: "r2", lines: [{ sku: "A", quantity: 2 }], reason: "" }, [rejected], T0),
    ).not.toThrow();
    // Units refunded already are gone for good.
    const refunded = refundOrder(
      order,
      { amount: 2000n, ...by, returned: [{ sku: "A", quantity: 2 }] },
      T0,
    ).order;
    expect(
      thrown(() =>
        requestReturn(refunded, { id: "r3", lines: [{ sku: "A", quantity: 1 }], reason: "" }, [], T0),
      ).kind,
    ).toBe("invalid");
  });

  it("names unknown SKUs, repeats and empty requests", () => {
    const order = delivered();
    const bad = thrown(() =>
      requestReturn(
        order,
        {
          id: "r",
          lines: [
            { sku: "Z", quantity: 1 },
            { sku: "B", quantity: 1 },
            { sku: "B", quantity: 1 },
          ],
          reason: "",
        },
        [],
        T0,
      ),
    );
    expect(bad.violations.map((v) => v.field)).toEqual(["lines[0].sku", "lines[2].sku"]);
    expect(
      thrown(() => requestReturn(order, { id: "r", lines: [], reason: "" }, [], T0)).violations[0]?.field,
    ).toBe("lines");
  });

  it("only takes returns of delivered orders", () => {
    const confirmed = confirmOrder(pendingOrder(), T0).order;
    expect(
      thrown(() =>
        requestReturn(confirmed, { id: "r", lines: [{ sku: "A", quantity: 1 }], reason: "" }, [], T0),
      ).reason,
    ).toBe("INVALID_STATE");
  });

  it("reviews once; the same decision again is a no-op, another is INVALID_STATE", () => {
    const order = delivered();
    const ret = requestReturn(order, { id: "r", lines: [{ sku: "A", quantity: 1 }], reason: "" }, [], T0).ret;
    const approved = reviewReturn(ret, true, "ok", T0);
    expect(approved.status).toBe("approved");
    expect(reviewReturn(approved, true, "ok again", T0)).toBe(approved);
    expect(thrown(() => reviewReturn(approved, false, "", T0)).reason).toBe("INVALID_STATE");
    expect(thrown(() => markReturnRefunded(ret, T0)).reason).toBe("INVALID_STATE");
    const refunded = markReturnRefunded(approved, T0);
    expect(markReturnRefunded(refunded, T0)).toBe(refunded);
  });
});
