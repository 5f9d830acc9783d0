import { waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCheckout, type TestCheckout } from "../../order/test/support.ts";
import { decimalString } from "../src/domain/money.ts";
import { startNotification, type TestNotification } from "./support.ts";

/**
 * A real checkout (catalog, inventory, cart, payment, shipping and the order service's saga, from
 * the order service's test platform) with notification listening on the same event prefix: the
 * order service's own OrderConfirmed makes exactly one confirmation mail, with the totals the
 * order was charged.
 */

let shop: TestCheckout;
let t: TestNotification;

beforeAll(async () => {
  shop = await startTestCheckout();
  t = await startNotification({
    shared: { databaseUrl: shop.databaseUrl, prefix: shop.prefix },
    // The platform's stand-in of identity serves the JWKS its tokens are signed with.
    env: { IDENTITY_ADDRESS: shop.identityAddress },
    options: { jwks: undefined },
  });
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await shop?.stop();
});

describe("an order placed end to end", () => {
  it("produces exactly one confirmation mail with the right totals", async () => {
    await shop.product("E2E-TEE", { priceMinor: 2450n, stock: 10 });
    await shop.product("E2E-CAP", { priceMinor: 1299n, stock: 10 });
    const customer = await shop.customer();
    const email = `buyer-${customer.userId.slice(-8)}@example.test`;
    // No identity here: the customer's address comes into the recipients as identity's events would bring it.
    await t.recipient({ userId: customer.userId, email, name: "Buyer", locale: "en" });
    await shop.fill(customer, [
      ["E2E-TEE", 2],
      ["E2E-CAP", 1],
    ]);
    const order = await shop.place(customer);
    expect(order.total?.amountMinor).toBe(2n * 2450n + 1299n + (order.shippingTotal?.amountMinor ?? 0n));

    const money = (minor: bigint | undefined) => `€${decimalString(String(minor ?? 0n), 2)}`;
    const mail = await waitFor(() => t.smtp.to(email).find((m) => /is confirmed/.test(m.subject)), {
      timeoutMs: 15_000,
      message: "the confirmation mail",
    });
    expect(mail.text).toContain(`2 × `);
    expect(mail.text).toContain("[E2E-TEE]: €49.00");
    expect(mail.text).toContain("[E2E-CAP]: €12.99");
    expect(mail.text).toContain(`Subtotal: ${money(order.subtotal?.amountMinor)}`);
    expect(mail.text).toContain(`Shipping: ${money(order.shippingTotal?.amountMinor)}`);
    expect(mail.text).toContain(`Total: ${money(order.total?.amountMinor)}`);
    if (order.trackingNumber) expect(mail.text).toContain(order.trackingNumber);

    // Whatever else the saga published, one confirmation and no more.
    await t.notification.dispatcher.drain();
    expect(t.smtp.to(email).filter((m) => /is confirmed/.test(m.subject))).toHaveLength(1);
    const inbox = await t.client.listNotifications({}, customer.auth);
    expect(inbox.notifications.filter((n) => n.type === "order_confirmed")).toHaveLength(1);
  });
});
