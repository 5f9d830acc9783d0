import { isDomainError } from "@shopmesh/kit/errors";
import { describe, expect, it } from "vitest";
import { formatCarrierEvent, parseCarrierEvent } from "./carrier-event.ts";

const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

function fields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(isDomainError(error, "invalid")).toBe(true);
    return (error as { violations: { field: string }[] }).violations.map((v) => v.field);
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("parseCarrierEvent", () => {
  it("reads a status event", () => {
    const body = formatCarrierEvent({
      id: "evt_1",
      created: 1_700_000_000,
      trackingNumber: "SIMABCDEFGHJKLM",
      status: "out_for_delivery",
      location: "Berlin",
      note: "on the van",
    });
    expect(parseCarrierEvent(bytes(body))).toEqual({
      id: "evt_1",
      type: "shipment.status",
      created: 1_700_000_000,
      update: {
        trackingNumber: "SIMABCDEFGHJKLM",
        status: "out_for_delivery",
        location: "Berlin",
        note: "on the van",
      },
    });
  });

  it("takes a missing location and note as empty", () => {
    const event = parseCarrierEvent(
      bytes({
        id: "evt_2",
        type: "shipment.status",
        created: 1,
        data: { tracking_number: "SIMX", status: "delivered" },
      }),
    );
    expect(event.update).toEqual({ trackingNumber: "SIMX", status: "delivered", location: "", note: "" });
  });

  it("passes other event types through without an update", () => {
    expect(parseCarrierEvent(bytes({ id: "evt_3", type: "pickup.scheduled", created: 1, data: {} }))).toEqual(
      {
        id: "evt_3",
        type: "pickup.scheduled",
        created: 1,
      },
    );
  });

  it("refuses what is not a JSON object", () => {
    expect(fields(() => parseCarrierEvent(bytes("not json")))).toEqual(["payload"]);
    expect(fields(() => parseCarrierEvent(bytes([1, 2])))).toEqual(["payload"]);
    expect(fields(() => parseCarrierEvent(new Uint8Array([0xff, 0xfe])))).toEqual(["payload"]);
  });

  it("names each bad member", () => {
    expect(fields(() => parseCarrierEvent(bytes({ type: "shipment.status", created: "x" })))).toEqual([
      "payload.id",
      "payload.created",
    ]);
    expect(
      fields(() =>
        parseCarrierEvent(
          bytes({ id: "e", type: "shipment.status", created: 1, data: { status: "cancelled", note: 5 } }),
        ),
      ),
    ).toEqual(["payload.data.tracking_number", "payload.data.status", "payload.data.note"]);
    expect(fields(() => parseCarrierEvent(bytes({ id: "e", type: "shipment.status", created: 1 })))).toEqual([
      "payload.data",
    ]);
  });
});
