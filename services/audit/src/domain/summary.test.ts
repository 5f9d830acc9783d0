import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  EmailVerificationRequestedSchema,
  PasswordResetRequestedSchema,
  SessionStartedSchema,
  UserRegisteredSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { OrderPlacedSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { OrderStatus } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { describe, expect, it } from "vitest";
import { isSecretName, MAX_BYTES, REDACTED, summarize } from "./summary.ts";

const order = (lines: number) =>
  create(OrderPlacedSchema, {
    order: {
      id: "0190a000-0000-7000-8000-0000000000o1",
      customerId: "0190a000-0000-7000-8000-0000000000c1",
      status: OrderStatus.PENDING,
      lines: Array.from({ length: lines }, (_, i) => ({
        sku: `SKU-${i}`,
        productName: `Product ${i}`,
        quantity: 1,
        unitPrice: { amountMinor: 1250n, currency: "EUR" },
        lineTotal: { amountMinor: 1250n, currency: "EUR" },
      })),
      total: { amountMinor: 1250n * BigInt(lines), currency: "EUR" },
      shippingAddress: {
        recipient: "Erika Mustermann",
        line1: "Hauptstraße 1",
        city: "Berlin",
        postalCode: "10115",
        countryCode: "DE",
        phone: "+49 30 1234567",
      },
      paymentLast4: "4242",
      createTime: timestampFromDate(new Date("2026-03-01T10:00:00Z")),
    },
  });

describe("summarize", () => {
  it("redacts tokens and leaves out personal data", () => {
    const summary = summarize(
      EmailVerificationRequestedSchema,
      create(EmailVerificationRequestedSchema, {
        userId: "u-1",
        email: "erika@example.com",
        displayName: "Erika",
        locale: "de",
        token: "secret-verification-token",
      }),
    );
    expect(summary).toEqual({ userId: "u-1", locale: "de", token: REDACTED });
    expect(JSON.stringify(summary)).not.toContain("secret-verification-token");
    expect(JSON.stringify(summary)).not.toContain("erika@example.com");
  });

  it("redacts a password reset token and keeps the expiry", () => {
    const summary = summarize(
      PasswordResetRequestedSchema,
      create(PasswordResetRequestedSchema, {
        userId: "u-1",
        email: "erika@example.com",
        token: "reset-me",
        expireTime: timestampFromDate(new Date("2026-03-01T10:00:00Z")),
      }),
    );
    expect(summary).toEqual({ userId: "u-1", token: REDACTED, expireTime: "2026-03-01T10:00:00Z" });
  });

  it("leaves out IP addresses and user agents", () => {
    const summary = summarize(
      SessionStartedSchema,
      create(SessionStartedSchema, {
        userId: "u-1",
        sessionId: "s-1",
        ipAddress: "203.0.113.9",
        userAgent: "Mozilla/5.0",
      }),
    );
    expect(summary).toEqual({ userId: "u-1", sessionId: "s-1" });
  });

  it("keeps ids, states and amounts of an order but not its shipping address", () => {
    const summary = summarize(OrderPlacedSchema, order(2)) as { order: Record<string, unknown> };
    expect(summary.order).toMatchObject({
      id: "0190a000-0000-7000-8000-0000000000o1",
      status: "ORDER_STATUS_PENDING",
      total: { amountMinor: "2500", currency: "EUR" },
      paymentLast4: "4242",
      lines: [expect.objectContaining({ sku: "SKU-0" }), expect.objectContaining({ sku: "SKU-1" })],
    });
    expect(summary.order).not.toHaveProperty("shippingAddress");
    expect(JSON.stringify(summary)).not.toContain("Mustermann");
  });

  it("cuts long lists and stays under the size limit", () => {
    const summary = summarize(OrderPlacedSchema, order(300)) as { order: { lines: unknown[] } };
    expect(Buffer.byteLength(JSON.stringify(summary))).toBeLessThanOrEqual(MAX_BYTES + 32);
    expect(summary.order.lines.length).toBeLessThanOrEqual(21);
    expect(summary.order.lines.at(-1)).toMatch(/more$/);
  });

  it("redacts a secret carried in a link", () => {
    const summary = summarize(
      UserRegisteredSchema,
      create(UserRegisteredSchema, { userId: "u-1", locale: "https://x.test/verify?token=abc" }),
    );
    expect(summary).toEqual({ userId: "u-1", locale: REDACTED });
  });

  it("recognises secrets by the words of a field's name", () => {
    for (const name of [
      "token",
      "refreshTokenHash",
      "passwordHash",
      "newPassword",
      "clientSecret",
      "recoveryCodes",
      "totp",
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ["userId", "footprint", "kid", "last4", "sessionId", "tokenizedTime"]) {
      expect(isSecretName(name), name).toBe(false);
    }
  });
});
