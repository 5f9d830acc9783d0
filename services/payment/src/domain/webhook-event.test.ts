import { describe, expect, it } from "vitest";
import { parseWebhookEvent } from "./webhook-event.ts";

const encode = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

describe("parseWebhookEvent", () => {
  it("reads a payment event", () => {
    expect(
      parseWebhookEvent(
        encode({
          id: "evt_1",
          type: "payment.failed",
          data: { reference: "pi_1", failure_code: "insufficient_funds" },
          created: 1_900_000_000,
        }),
      ),
    ).toEqual({
      id: "evt_1",
      type: "payment.failed",
      reference: "pi_1",
      failureCode: "insufficient_funds",
      created: 1_900_000_000,
    });
  });

  it("reads events of other types without a reference", () => {
    expect(parseWebhookEvent(encode({ id: "evt_2", type: "account.updated" }))).toMatchObject({
      type: "account.updated",
      reference: "",
    });
  });

  it("refuses bodies that are not events, naming the payload", () => {
    for (const bad of [
      "not json",
      "[]",
      { type: "payment.succeeded" },
      { id: "evt" },
      { id: "e", type: "payment.succeeded", data: {} },
    ]) {
      expect(() => parseWebhookEvent(encode(bad))).toThrow(
        expect.objectContaining({
          kind: "invalid",
          violations: [expect.objectContaining({ field: "payload" })],
        }),
      );
    }
    expect(() => parseWebhookEvent(new Uint8Array([0xff, 0xfe]))).toThrow(
      expect.objectContaining({ kind: "invalid" }),
    );
  });
});
