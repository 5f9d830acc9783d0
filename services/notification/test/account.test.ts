import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  EmailVerificationRequestedSchema,
  PasswordResetRequestedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserRolesChangedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { Role } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { LowStockSchema } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { Category, Channel } from "@shopmesh/contracts/shopmesh/notification/v1/notification_pb";
import { OrderConfirmedSchema, OrderDeliveredSchema } from "@shopmesh/contracts/shopmesh/order/v1/events_pb";
import { Code, fieldViolations } from "@shopmesh/kit/rpc";
import { rpcFailure as failure, waitFor } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmedOrder } from "./orders-fixture.ts";
import { id, startNotification, type TestNotification } from "./support.ts";

let t: TestNotification;
const OPS = "ops@shop.test";

beforeAll(async () => {
  t = await startNotification({ env: { NOTIFY_ADMIN_EMAILS: `${OPS}, Owner@Shop.test` } });
});

afterAll(async () => {
  await t?.stop();
});

async function register(locale = "en") {
  const userId = id();
  const email = `u-${userId.slice(-12)}@example.test`;
  await t.publish("identity", UserRegisteredSchema, { userId, email, displayName: "Grace", locale }, userId);
  // identity's and the order context's streams are consumed independently: let this one land first.
  await waitFor(() => t.notification.store.read().recipients.byId(userId));
  return { userId, email };
}

describe("account messages", () => {
  it("welcomes a new user by email and in the inbox", async () => {
    const { userId, email } = await register();
    const mail = await waitFor(() => t.smtp.to(email)[0]);
    expect(mail.subject).toBe("Welcome to Test Shop");
    expect(mail.text).toContain("Hi Grace,");
    const inbox = await waitFor(async () => {
      const answer = await t.client.listNotifications({}, await t.as(userId));
      return answer.notifications.length > 0 && answer;
    });
    expect(inbox.notifications[0]).toMatchObject({
      type: "welcome",
      category: Category.ACCOUNT,
      link: "/account",
    });
    expect(inbox.unreadCount).toBe(1);
  });

  it("mails the email verification and password reset links with their tokens, nowhere else", async () => {
    const { userId, email } = await register("de");
    const expireTime = timestampFromDate(new Date("2030-05-01T12:00:00Z"));
    await t.publish(
      "identity",
      EmailVerificationRequestedSchema,
      { userId, email, displayName: "Grace", locale: "de", token: "verify+token/1", expireTime },
      userId,
    );
    await t.publish(
      "identity",
      PasswordResetRequestedSchema,
      { userId, email, displayName: "Grace", locale: "de", token: "reset-token-2", expireTime },
      userId,
    );
    const verify = await waitFor(() =>
      t.smtp.to(email).find((m) => m.subject === "Bestätige deine E-Mail-Adresse"),
    );
    expect(verify.text).toContain("https://shop.test/verify-email?token=verify%2Btoken%2F1");
    expect(verify.text).toContain("1. Mai 2030");
    expect(verify.html).toContain('href="https://shop.test/verify-email?token=verify%2Btoken%2F1"');
    const reset = await waitFor(() =>
      t.smtp.to(email).find((m) => m.subject === "Setze dein Passwort zurück"),
    );
    expect(reset.text).toContain("https://shop.test/reset-password?token=reset-token-2");

    const inbox = await t.client.listNotifications({}, await t.as(userId));
    expect(inbox.notifications.map((n) => n.type)).toEqual(["welcome"]);
    expect(inbox.notifications.map((n) => `${n.title} ${n.body}`).join(" ")).not.toMatch(/token/);
  });

  it("erases a deleted user and sends them nothing more", async () => {
    const { userId, email } = await register();
    await waitFor(() => t.smtp.to(email).length === 1);
    await t.publish("identity", UserDeletedSchema, { userId }, userId);
    await waitFor(async () => (await t.notification.store.read().recipients.byId(userId))?.deleted);
    const order = confirmedOrder(userId);
    const eventId = await t.publish("order", OrderConfirmedSchema, { order }, order.id);
    await waitFor(
      async () =>
        (await t.notification.db.execute("select 1 from inbox_events where event_id = ?", [eventId])).length >
        0,
    );
    await t.notification.dispatcher.drain();
    expect(t.smtp.to(email)).toHaveLength(1);
    const recipient = await t.notification.store.read().recipients.byId(userId);
    expect(recipient).toMatchObject({ email: "", name: "", deleted: true });
    expect((await t.client.listNotifications({}, await t.as(userId))).notifications).toEqual([]);
  });
});

describe("preferences", () => {
  it("shows the defaults, keeps what the user changes, and refuses to silence transactional email", async () => {
    const { userId, email } = await register();
    const me = await t.as(userId);
    const { preferences } = await t.client.getNotificationPreferences({}, me);
    const orderEmail = preferences?.settings.find(
      (s) => s.category === Category.ORDERS && s.channel === Channel.EMAIL,
    );
    expect(orderEmail).toMatchObject({ enabled: true, locked: true });
    expect(preferences?.updateTime).toBeUndefined();

    const refused = await failure(
      t.client.updateNotificationPreferences(
        { settings: [{ category: Category.ORDERS, channel: Channel.EMAIL, enabled: false }] },
        me,
      ),
    );
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(fieldViolations(refused)).toEqual([
      { field: "settings[0].enabled", description: "orders email is transactional and always sent" },
    ]);

    const updated = await t.client.updateNotificationPreferences(
      {
        settings: [
          { category: Category.ORDERS, channel: Channel.PUSH, enabled: false },
          { category: Category.ORDERS, channel: Channel.IN_APP, enabled: false },
          { category: Category.ORDERS, channel: Channel.SMS, enabled: true },
        ],
      },
      me,
    );
    const enabled = (channel: Channel) =>
      updated.preferences?.settings.find((s) => s.category === Category.ORDERS && s.channel === channel)
        ?.enabled;
    expect([
      enabled(Channel.EMAIL),
      enabled(Channel.PUSH),
      enabled(Channel.IN_APP),
      enabled(Channel.SMS),
    ]).toEqual([true, false, false, true]);
    expect(updated.preferences?.updateTime).toBeDefined();

    // An order now goes by email and SMS (to the shipping address's phone) only.
    const order = confirmedOrder(userId);
    await t.publish("order", OrderDeliveredSchema, { order }, order.id);
    await waitFor(() => t.smtp.to(email).some((m) => /was delivered/.test(m.subject)));
    const rows = await t.notification.db.execute<{ channel: string }>(
      "select channel from deliveries where dedupe_key = ? order by channel",
      [`order_delivered:${order.id}`],
    );
    // order_delivered has no SMS template: SMS is for confirmations and shipping.
    expect(rows.map((r) => r.channel)).toEqual(["email"]);
    const confirmed = confirmedOrder(userId);
    await t.publish("order", OrderConfirmedSchema, { order: confirmed }, confirmed.id);
    const sms = await waitFor(() =>
      t.notification.sinks.sms.messages().find((m) => m.text?.includes(confirmed.id)),
    );
    expect(sms.to).toBe("+4930123456");
    expect(sms.text).toContain("€57.38");
    const inbox = await t.client.listNotifications({}, me);
    expect(inbox.notifications.map((n) => n.type)).toEqual(["welcome"]);
  });
});

describe("inbox", () => {
  it("pages newest first, counts unread, marks read, and hides other users' notifications", async () => {
    const { userId } = await register();
    const me = await t.as(userId);
    const orders = [confirmedOrder(userId), confirmedOrder(userId), confirmedOrder(userId)];
    for (const order of orders) await t.publish("order", OrderConfirmedSchema, { order }, order.id);
    const all = await waitFor(async () => {
      const answer = await t.client.listNotifications({ pageSize: 100 }, me);
      return answer.notifications.length === 4 && answer;
    });
    expect(all.unreadCount).toBe(4);
    expect(all.notifications.map((n) => n.type)).toEqual([
      "order_confirmed",
      "order_confirmed",
      "order_confirmed",
      "welcome",
    ]);

    const first = await t.client.listNotifications({ pageSize: 3 }, me);
    expect(first.notifications.map((n) => n.id)).toEqual(all.notifications.slice(0, 3).map((n) => n.id));
    const second = await t.client.listNotifications({ pageSize: 3, pageToken: first.nextPageToken }, me);
    expect(second.notifications.map((n) => n.id)).toEqual([all.notifications[3]!.id]);
    expect(second.nextPageToken).toBe("");

    // A reconnecting stream asks for what came after the last one it saw, oldest first.
    const after = await t.client.listNotifications({ afterId: all.notifications[3]!.id }, me);
    expect(after.notifications.map((n) => n.id)).toEqual(
      all.notifications
        .slice(0, 3)
        .map((n) => n.id)
        .reverse(),
    );

    const target = all.notifications[1]!;
    const read = await t.client.markNotificationRead({ notificationId: target.id }, me);
    expect(read.notification?.readTime).toBeDefined();
    const again = await t.client.markNotificationRead({ notificationId: target.id }, me);
    expect(again.notification?.readTime).toEqual(read.notification?.readTime);
    const unread = await t.client.listNotifications({ unreadOnly: true }, me);
    expect(unread.unreadCount).toBe(3);
    expect(unread.notifications.map((n) => n.id)).not.toContain(target.id);

    const stranger = await t.as(id());
    const hidden = await failure(t.client.markNotificationRead({ notificationId: target.id }, stranger));
    expect(hidden.code).toBe(Code.NotFound);
    expect((await t.client.listNotifications({}, stranger)).notifications).toEqual([]);
  });

  it("answers only signed-in users", async () => {
    const anonymous = await failure(t.client.listNotifications({}));
    expect(anonymous.code).toBe(Code.Unauthenticated);
    const customer = await failure(t.client.listDeliveries({}, await t.as(id())));
    expect(customer.code).toBe(Code.PermissionDenied);
  });
});

describe("low stock", () => {
  it("alerts every admin by email and in the inbox, and the configured addresses by email", async () => {
    const { userId: adminId, email: adminEmail } = await register();
    await t.publish(
      "identity",
      UserRolesChangedSchema,
      { userId: adminId, roles: [Role.ADMIN], previousRoles: [Role.CUSTOMER] },
      adminId,
    );
    // The owner is also an admin account: they get one mail, not two.
    const owner = id();
    await t.publish(
      "identity",
      UserRegisteredSchema,
      { userId: owner, email: "owner@shop.test", displayName: "Owner", locale: "de" },
      owner,
    );
    await t.publish(
      "identity",
      UserRolesChangedSchema,
      { userId: owner, roles: [Role.ADMIN], previousRoles: [] },
      owner,
    );
    await waitFor(async () => (await t.notification.store.read().recipients.admins()).length === 2);

    await t.publish(
      "inventory",
      LowStockSchema,
      { sku: "LAMP-1", available: 2n, lowStockThreshold: 5n },
      "LAMP-1",
    );
    const alert = await waitFor(() => t.smtp.to(adminEmail).find((m) => m.subject.startsWith("Low stock")));
    expect(alert.subject).toBe("Low stock: LAMP-1 (2 left)");
    const ops = await waitFor(() => t.smtp.to(OPS).find((m) => m.subject.startsWith("Low stock")));
    expect(ops.text).toContain("threshold of 5");
    const ownerMails = await waitFor(() => {
      const mails = t.smtp.to("owner@shop.test").filter((m) => m.subject.startsWith("Niedriger Bestand"));
      return mails.length > 0 && mails;
    });
    await t.notification.dispatcher.drain();
    expect(ownerMails).toHaveLength(1);
    const inbox = await t.client.listNotifications({}, await t.as(adminId, ["admin"]));
    expect(inbox.notifications[0]).toMatchObject({ type: "low_stock", title: "Low stock: LAMP-1" });

    // Customers hear nothing of it.
    const { userId: customerId } = await register();
    const customerInbox = await t.client.listNotifications({}, await t.as(customerId));
    expect(customerInbox.notifications.map((n) => n.type)).not.toContain("low_stock");
  });
});
