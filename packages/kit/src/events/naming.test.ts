import { UserRegisteredSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { describe, expect, it } from "vitest";
import {
  checkContext,
  checkDurable,
  checkToken,
  deadLetterStreamName,
  deadLetterSubject,
  eventSubject,
  snakeCase,
  streamName,
} from "./naming.ts";

describe("event naming", () => {
  it("derives the subject from the message name in snake case", () => {
    expect(eventSubject("shopmesh", "identity", UserRegisteredSchema)).toBe(
      "shopmesh.identity.user_registered",
    );
    expect(eventSubject("t1a2b3c", "identity", UserRegisteredSchema)).toBe(
      "t1a2b3c.identity.user_registered",
    );
  });

  it("snake-cases acronyms and digits as words", () => {
    expect(snakeCase("RefreshTokenReuseDetected")).toBe("refresh_token_reuse_detected");
    expect(snakeCase("MfaEnabled")).toBe("mfa_enabled");
    expect(snakeCase("HTTPRequestFailed")).toBe("http_request_failed");
    expect(snakeCase("Order2Placed")).toBe("order2_placed");
  });

  it("names streams in upper case by prefix and context", () => {
    expect(streamName("shopmesh", "identity")).toBe("SHOPMESH_IDENTITY");
    expect(deadLetterStreamName("t1a2b3c")).toBe("T1A2B3C_DLQ");
    expect(deadLetterSubject("shopmesh", "notification-mailer")).toBe("shopmesh.dlq.notification-mailer");
  });

  it("rejects names that would break subjects, naming the field", () => {
    expect(() => checkToken("Shop.mesh", "prefix")).toThrow(/^prefix:/);
    expect(() => checkContext("dlq")).toThrow(/^context: "dlq" is reserved/);
    expect(() => checkContext("order.v1")).toThrow(/^context:/);
    expect(() => checkDurable("a.b")).toThrow(/^durable:/);
    expect(checkDurable("audit-log_1")).toBe("audit-log_1");
  });
});
