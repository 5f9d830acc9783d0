import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { LowStockSchema } from "@shopmesh/contracts/shopmesh/inventory/v1/events_pb";
import { createLogger } from "@shopmesh/kit/log";
import { createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import {
  createTestDatabase,
  deleteStreams,
  type TestDatabase,
  testPrefix,
  waitFor,
} from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, type Identity } from "../../identity/src/app.ts";
import { loadIdentityConfig } from "../../identity/src/config.ts";
import { startNotification, type TestNotification } from "./support.ts";

/**
 * The real identity service beside notification, on one database and event prefix: identity's
 * own events drive the account mails, its tokens open notification's RPCs, and notification asks
 * it (as a service) for what its events do not say.
 */

const SECRET = "notification-flow-service-secret";
const ADMIN = { email: "root@shop.test", password: "correct horse battery staple" };
const PASSWORD = "a long enough passphrase";

let database: TestDatabase;
let prefix: string;
let identity: Identity;
let users: RpcClient<typeof IdentityService>;
let t: TestNotification;

beforeAll(async () => {
  database = await createTestDatabase();
  prefix = testPrefix();
  identity = await createIdentity(
    loadIdentityConfig({
      DATABASE_URL: database.url,
      EVENTS_PREFIX: prefix,
      PORT: "0",
      METRICS_PORT: "0",
      LOG_LEVEL: "silent",
      SERVICE_TOKEN_SECRET: SECRET,
      SHOPMESH_ADMIN_EMAIL: ADMIN.email,
      SHOPMESH_ADMIN_PASSWORD: ADMIN.password,
    }),
    { logger: createLogger({ service: "identity", level: "silent" }) },
  );
  const address = `127.0.0.1:${await identity.listen(0, "127.0.0.1")}`;
  users = createRpcClient(IdentityService, { address, timeoutMs: 15_000 });
  t = await startNotification({
    shared: { databaseUrl: database.url, prefix },
    env: { IDENTITY_ADDRESS: address, SERVICE_TOKEN_SECRET: SECRET },
    // identity's own keys verify the tokens.
    options: { jwks: undefined },
  });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  users?.close();
  await identity?.close(500);
  // startNotification({ shared }) leaves the shared prefix's streams to their owner: this file.
  if (prefix) await deleteStreams(prefix).catch(() => undefined);
  await database?.drop();
});

const link = (text: string, path: string) => {
  const match = new RegExp(`https://shop\\.test/${path}\\?token=(\\S+)`).exec(text);
  expect(match, `a ${path} link`).not.toBeNull();
  return decodeURIComponent(match![1]!);
};

describe("with identity", () => {
  it("welcomes a registered user and mails a verification link that verifies the address", async () => {
    const email = "lin@example.test";
    await users.register({ email, password: PASSWORD, displayName: "Lin", locale: "de" });
    const welcome = await waitFor(() =>
      t.smtp.to(email).find((m) => m.subject === "Willkommen bei Test Shop"),
    );
    expect(welcome.text).toContain("Hallo Lin,");
    const verification = await waitFor(() =>
      t.smtp.to(email).find((m) => m.subject === "Bestätige deine E-Mail-Adresse"),
    );
    const { user } = await users.verifyEmail({ token: link(verification.text, "verify-email") });
    expect(user?.emailVerified).toBe(true);

    // identity's access token opens the user's inbox.
    const { tokens } = await users.login({ email, password: PASSWORD });
    const auth = { call: { authorization: `Bearer ${tokens!.accessToken}` } };
    const inbox = await t.client.listNotifications({}, auth);
    expect(inbox.notifications.map((n) => n.title)).toEqual(["Willkommen bei Test Shop"]);

    // A changed locale reaches notification through ProfileUpdated and identity's answer.
    await users.updateProfile({ user: { locale: "en" }, updateMask: { paths: ["locale"] } }, auth);
    await waitFor(
      async () => (await t.notification.store.read().recipients.byId(user!.id))?.locale === "en",
      {
        message: "the new locale",
      },
    );

    await users.requestPasswordReset({ email });
    const reset = await waitFor(() => t.smtp.to(email).find((m) => m.subject === "Reset your password"));
    await users.resetPassword({
      token: link(reset.text, "reset-password"),
      newPassword: "another long passphrase",
    });
    await users.login({ email, password: "another long passphrase" });
  });

  it("alerts the seeded admin, whom only identity can name, about low stock", async () => {
    await waitFor(async () => (await t.notification.store.read().recipients.admins()).length === 1, {
      message: "the admins copied from identity",
    });
    await t.publish(
      "inventory",
      LowStockSchema,
      { sku: "DESK-9", available: 0n, lowStockThreshold: 3n },
      "DESK-9",
    );
    const alert = await waitFor(() => t.smtp.to(ADMIN.email).find((m) => m.subject.startsWith("Low stock")));
    expect(alert.subject).toBe("Low stock: DESK-9 (0 left)");
  });
});
