import { fromBinary } from "@bufbuild/protobuf";
import {
  SigningKeyRotatedSchema,
  UserRegisteredSchema,
  UserRolesChangedSchema,
  UserUnlockedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { Role } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { readEnvelope, streamName } from "@shopmesh/kit/events";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { readStream, waitFor } from "@shopmesh/kit/testing";
import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, Code, failure, type SignedIn, startIdentity, type TestIdentity } from "./support.ts";

let t: TestIdentity;
let admin: SignedIn;

beforeAll(async () => {
  t = await startIdentity();
  admin = await t.admin();
});

afterAll(async () => {
  await t?.stop();
});

describe("admin access", () => {
  it("refuses customers with PERMISSION_DENIED and anonymous callers with UNAUTHENTICATED", async () => {
    const customer = await t.signUp("customer@example.com");
    expect((await failure(t.client.listUsers({}, customer.auth))).code).toBe(Code.PermissionDenied);
    expect((await failure(t.client.rotateSigningKey({}, customer.auth))).code).toBe(Code.PermissionDenied);
    expect((await failure(t.client.listUsers({}))).code).toBe(Code.Unauthenticated);
  });

  it("seeds the demo admin with the admin role and a verified email", async () => {
    const { user } = await t.client.getProfile({}, admin.auth);
    expect(user).toMatchObject({ roles: [Role.ADMIN], emailVerified: true });
  });
});

describe("ListUsers", () => {
  it("searches email and display name, pages in creation order and binds tokens to their filters", async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      const { user } = await t.client.register({
        email: `pager${n}@example.com`,
        password: "a long enough passphrase",
        displayName: n % 2 ? `Zebra ${n}` : `Quokka_${n}`,
      });
      ids.push(user!.id);
    }
    const seen: string[] = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await t.client.listUsers({ query: "PAGER", pageSize: 2, pageToken }, admin.auth);
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((u) => u.id));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);

    const zebras = await t.client.listUsers({ query: "zebra" }, admin.auth);
    expect(zebras.users.map((u) => u.displayName)).toEqual(["Zebra 1", "Zebra 3", "Zebra 5"]);
    // "_" matches only itself, not any character
    expect((await t.client.listUsers({ query: "a_" }, admin.auth)).users.map((u) => u.displayName)).toEqual([
      "Quokka_2",
      "Quokka_4",
    ]);

    const first = await t.client.listUsers({ query: "pager", pageSize: 2 }, admin.auth);
    const other = await failure(
      t.client.listUsers({ query: "zebra", pageToken: first.nextPageToken }, admin.auth),
    );
    expect(fieldViolations(other).map((v) => v.field)).toEqual(["pageToken"]);
    const garbage = await failure(t.client.listUsers({ pageToken: "%%%" }, admin.auth));
    expect(fieldViolations(garbage).map((v) => v.field)).toEqual(["pageToken"]);
    const negative = await failure(t.client.listUsers({ pageSize: -1 }, admin.auth));
    expect(fieldViolations(negative).map((v) => v.field)).toEqual(["pageSize"]);
  });
});

describe("user management", () => {
  it("gets a user, NOT_FOUND for an unknown id and INVALID_ARGUMENT naming userId for a malformed one", async () => {
    const { userId } = await t.signUp("getme@example.com");
    expect((await t.client.getUser({ userId }, admin.auth)).user?.email).toBe("getme@example.com");
    const unknown = await failure(
      t.client.getUser({ userId: "01900000-0000-7000-8000-000000000000" }, admin.auth),
    );
    expect(unknown.code).toBe(Code.NotFound);
    const malformed = await failure(t.client.getUser({ userId: "x" }, admin.auth));
    expect(fieldViolations(malformed)).toEqual([{ field: "userId", description: "must be a UUID" }]);
  });

  it("sets roles, which the role filter and the next token show", async () => {
    const { userId } = await t.signUp("helper@example.com");
    const { user } = await t.client.setUserRoles(
      { userId, roles: [Role.SUPPORT, Role.CUSTOMER] },
      admin.auth,
    );
    expect(user?.roles).toEqual([Role.CUSTOMER, Role.SUPPORT]);
    const [changed] = await t.events(UserRolesChangedSchema, userId);
    expect(changed).toMatchObject({ roles: [Role.CUSTOMER, Role.SUPPORT], previousRoles: [Role.CUSTOMER] });
    const support = await t.client.listUsers({ role: Role.SUPPORT }, admin.auth);
    expect(support.users.map((u) => u.id)).toEqual([userId]);
    // support may read users now
    const helper = await t.signIn("helper@example.com");
    await t.client.getUser({ userId: admin.userId }, helper.auth);

    const none = await failure(t.client.setUserRoles({ userId, roles: [] }, admin.auth));
    expect(fieldViolations(none).map((v) => v.field)).toEqual(["roles"]);
    const self = await failure(
      t.client.setUserRoles({ userId: admin.userId, roles: [Role.CUSTOMER] }, admin.auth),
    );
    expect(self.code).toBe(Code.FailedPrecondition);
  });

  it("locks an account, signing out its sessions, and unlocks it", async () => {
    const victim = await t.signUp("locked@example.com");
    const { user } = await t.client.lockUser(
      { userId: victim.userId, reason: "chargeback fraud" },
      admin.auth,
    );
    expect(user).toMatchObject({ locked: true, lockedReason: "chargeback fraud" });
    expect(
      errorReason(await failure(t.client.refreshToken({ refreshToken: victim.tokens.refreshToken }))),
    ).toBe("TOKEN_INVALID");
    const login = await failure(
      t.client.login({ email: "locked@example.com", password: "a long enough passphrase" }),
    );
    expect(errorReason(login)).toBe("ACCOUNT_LOCKED");
    const noReason = await failure(t.client.lockUser({ userId: victim.userId, reason: " " }, admin.auth));
    expect(fieldViolations(noReason).map((v) => v.field)).toEqual(["reason"]);

    expect((await t.client.unlockUser({ userId: victim.userId }, admin.auth)).user?.locked).toBe(false);
    expect(await t.events(UserUnlockedSchema, victim.userId)).toHaveLength(1);
    await t.signIn("locked@example.com");
  });

  it("lists and revokes a user's sessions", async () => {
    const a = await t.signUp("many@example.com");
    const b = await t.signIn("many@example.com");
    const listed = await t.client.listUserSessions({ userId: a.userId }, admin.auth);
    expect(listed.sessions.map((s) => s.id)).toEqual([a.tokens.sessionId, b.tokens.sessionId]);
    const { revokedCount } = await t.client.revokeUserSessions({ userId: a.userId }, admin.auth);
    expect(revokedCount).toBe(2);
    expect((await t.client.listUserSessions({ userId: a.userId }, admin.auth)).sessions).toEqual([]);
    expect(errorReason(await failure(t.client.refreshToken({ refreshToken: b.tokens.refreshToken })))).toBe(
      "TOKEN_INVALID",
    );
  });

  it("lets a service principal call admin RPCs", async () => {
    const { users } = await t.serviceClient.listUsers({ query: "root@shopmesh" });
    expect(users.map((u) => u.id)).toEqual([admin.userId]);
  });
});

describe("signing keys", () => {
  it("rotates without signing anyone out: old tokens verify, JWKS lists both keys", async () => {
    const before = await t.signUp("rotation@example.com");
    const oldKid = decodeProtectedHeader(before.tokens.accessToken).kid!;
    const { kid } = await t.client.rotateSigningKey({}, admin.auth);
    expect(kid).not.toBe(oldKid);

    const { keys } = await t.client.getJwks({});
    expect(keys.map((k) => k.kid)).toEqual([kid, oldKid]);
    expect(keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });

    expect((await t.client.getProfile({}, before.auth)).user?.email).toBe("rotation@example.com");
    const after = await t.client.refreshToken({ refreshToken: before.tokens.refreshToken });
    expect(decodeProtectedHeader(after.tokens!.accessToken).kid).toBe(kid);
    await t.client.getProfile({}, bearer(after.tokens!));
    expect(await t.events(SigningKeyRotatedSchema, kid)).toEqual([
      expect.objectContaining({ previousKid: oldKid }),
    ]);
  });
});

describe("events on JetStream", () => {
  it("publishes through the outbox with the CloudEvents headers", async () => {
    const { user } = await t.client.register({
      email: "published@example.com",
      password: "a long enough passphrase",
    });
    const stream = streamName(t.prefix, "identity");
    const message = await waitFor(
      async () =>
        (await readStream(stream)).find(
          (m) =>
            readEnvelope(m.header).type === "shopmesh.identity.v1.UserRegistered" &&
            readEnvelope(m.header).subject === user!.id,
        ),
      { timeoutMs: 10_000, message: "UserRegistered on JetStream" },
    );
    expect(message.subject).toBe(`${t.prefix}.identity.user_registered`);
    const envelope = readEnvelope(message.header);
    expect(envelope).toMatchObject({ source: "shopmesh/identity", subject: user!.id });
    expect(envelope.headers["ce-specversion"]).toBe("1.0");
    expect(envelope.headers["Nats-Msg-Id"]).toBe(envelope.id);
    expect(envelope.meta.actor).toBe(`user:${user!.id}`);
    expect(envelope.meta.correlationId).toBeTruthy();
    expect(fromBinary(UserRegisteredSchema, message.data)).toMatchObject({ email: "published@example.com" });
  });
});
