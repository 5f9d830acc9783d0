import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import {
  AddressUpdatedSchema,
  EmailVerificationRequestedSchema,
  PasswordChangedSchema,
  PasswordResetRequestedSchema,
  ProfileUpdatedSchema,
  SessionRevokedSchema,
  UserDeletedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { errorReason, fieldViolations } from "@shopmesh/kit/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, failure, PASSWORD, startIdentity, type TestIdentity } from "./support.ts";

let t: TestIdentity;

beforeAll(async () => {
  t = await startIdentity();
});

afterAll(async () => {
  await t?.stop();
});

const NEW_PASSWORD = "another long passphrase";
const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });
const berlin = {
  recipient: "Ann Lee",
  line1: "Torstraße 1",
  city: "Berlin",
  postalCode: "10119",
  countryCode: "de",
  phone: "+49 30 123456",
};

describe("email verification", () => {
  it("verifies the email with the token of EmailVerificationRequested, once", async () => {
    const { userId, auth } = await t.signUp("verify@example.com");
    const [requested] = await t.events(EmailVerificationRequestedSchema, userId);
    expect(requested?.token).toMatch(/^ev_/);
    const { user } = await t.client.verifyEmail({ token: requested!.token });
    expect(user?.emailVerified).toBe(true);
    expect(errorReason(await failure(t.client.verifyEmail({ token: requested!.token })))).toBe(
      "TOKEN_INVALID",
    );
    const again = await failure(t.client.requestEmailVerification({}, auth));
    expect(again.code).toBe(Code.FailedPrecondition);
  });

  it("sends a new token on request", async () => {
    const { userId, auth } = await t.signUp("verify2@example.com");
    await t.client.requestEmailVerification({}, auth);
    const tokens = (await t.events(EmailVerificationRequestedSchema, userId)).map((e) => e.token);
    expect(new Set(tokens).size).toBe(2);
    expect((await t.client.verifyEmail({ token: tokens[1]! })).user?.emailVerified).toBe(true);
  });
});

describe("password reset", () => {
  it("answers the same for unknown emails and resets with the token, signing out everywhere", async () => {
    await t.client.requestPasswordReset({ email: "ghost@example.com" });
    expect(await t.events(PasswordResetRequestedSchema)).toHaveLength(0);

    const a = await t.signUp("reset@example.com");
    await t.client.requestPasswordReset({ email: "Reset@Example.com" });
    await t.client.requestPasswordReset({ email: "reset@example.com" });
    const [first, second] = (await t.events(PasswordResetRequestedSchema, a.userId)).map((e) => e.token);
    expect(first).toMatch(/^pr_/);

    const weak = await failure(t.client.resetPassword({ token: second!, newPassword: "short" }));
    expect(fieldViolations(weak).map((v) => v.field)).toEqual(["newPassword"]);
    await t.client.resetPassword({ token: second!, newPassword: NEW_PASSWORD });

    // the other outstanding token is gone, the used one works once
    for (const token of [first!, second!]) {
      const error = await failure(t.client.resetPassword({ token, newPassword: NEW_PASSWORD }));
      expect(errorReason(error)).toBe("TOKEN_INVALID");
    }
    expect(errorReason(await failure(t.client.refreshToken({ refreshToken: a.tokens.refreshToken })))).toBe(
      "TOKEN_INVALID",
    );
    expect(
      errorReason(await failure(t.client.login({ email: "reset@example.com", password: PASSWORD }))),
    ).toBe("INVALID_CREDENTIALS");
    await t.signIn("reset@example.com", NEW_PASSWORD);
    expect((await t.events(PasswordChangedSchema, a.userId)).map((e) => e.method)).toEqual(["reset"]);
  });
});

describe("ChangePassword", () => {
  it("needs the current password, then signs out the other sessions but not this one", async () => {
    const a = await t.signUp("change@example.com");
    const b = await t.signIn("change@example.com");
    const wrong = await failure(
      t.client.changePassword({ currentPassword: "not it at all!", newPassword: NEW_PASSWORD }, a.auth),
    );
    expect(fieldViolations(wrong).map((v) => v.field)).toEqual(["currentPassword"]);

    await t.client.changePassword({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, a.auth);
    expect(errorReason(await failure(t.client.refreshToken({ refreshToken: b.tokens.refreshToken })))).toBe(
      "TOKEN_INVALID",
    );
    await t.client.refreshToken({ refreshToken: a.tokens.refreshToken });
    const revoked = await t.events(SessionRevokedSchema, a.userId);
    expect(revoked).toEqual([
      expect.objectContaining({ sessionId: b.tokens.sessionId, reason: "password_changed" }),
    ]);
    await t.signIn("change@example.com", NEW_PASSWORD);
  });
});

describe("profile", () => {
  it("updates only the fields of the mask and records what changed", async () => {
    const { userId, auth } = await t.signUp("profile@example.com", "Pro File");
    const { user } = await t.client.updateProfile(
      { user: { displayName: "  New   Name ", locale: "de-ch" }, updateMask: mask("display_name") },
      auth,
    );
    expect(user).toMatchObject({ displayName: "New Name", locale: "" });
    expect((await t.events(ProfileUpdatedSchema, userId)).map((e) => e.changedFields)).toEqual([
      ["display_name"],
    ]);
    const both = await t.client.updateProfile({ user: { displayName: "New Name", locale: "de-ch" } }, auth);
    expect(both.user?.locale).toBe("de-CH");
    expect((await t.client.getProfile({}, auth)).user?.locale).toBe("de-CH");

    const bad = await failure(
      t.client.updateProfile({ user: { displayName: "" }, updateMask: mask("display_name", "email") }, auth),
    );
    expect(fieldViolations(bad).map((v) => v.field)).toEqual(["updateMask"]);
    const empty = await failure(
      t.client.updateProfile({ user: { displayName: " " }, updateMask: mask("display_name") }, auth),
    );
    expect(fieldViolations(empty)).toEqual([{ field: "user.displayName", description: "is required" }]);
  });
});

describe("addresses", () => {
  it("creates, updates with a mask, keeps one default of each kind and deletes", async () => {
    const { userId, auth } = await t.signUp("addresses@example.com");
    const home = (
      await t.client.createAddress(
        { address: { label: "Home", address: berlin, defaultShipping: true } },
        auth,
      )
    ).address!;
    expect(home.address).toMatchObject({ countryCode: "DE", phone: "+4930123456" });
    const office = (
      await t.client.createAddress(
        {
          address: {
            label: "Office",
            address: { ...berlin, line1: "Alexanderplatz 1" },
            defaultShipping: true,
          },
        },
        auth,
      )
    ).address!;
    const listed = (await t.client.listAddresses({}, auth)).addresses;
    expect(listed.map((a) => [a.label, a.defaultShipping])).toEqual([
      ["Home", false],
      ["Office", true],
    ]);
    expect((await t.events(AddressUpdatedSchema, userId)).map((e) => e.addressId)).toEqual([home.id]);

    const { address } = await t.client.updateAddress(
      {
        address: { id: home.id, label: "ignored", address: { city: "Potsdam" } },
        updateMask: mask("address.city"),
      },
      auth,
    );
    expect(address).toMatchObject({ label: "Home", address: { city: "Potsdam", line1: "Torstraße 1" } });

    const invalid = await failure(
      t.client.createAddress(
        { address: { address: { ...berlin, countryCode: "XX", postalCode: "" } } },
        auth,
      ),
    );
    expect(fieldViolations(invalid).map((v) => v.field)).toEqual([
      "address.address.postalCode",
      "address.address.countryCode",
    ]);
    const badMask = await failure(
      t.client.updateAddress({ address: { id: home.id }, updateMask: mask("create_time") }, auth),
    );
    expect(fieldViolations(badMask).map((v) => v.field)).toEqual(["updateMask"]);
    const badId = await failure(t.client.updateAddress({ address: { id: "nope" } }, auth));
    expect(fieldViolations(badId)).toEqual([{ field: "address.id", description: "must be a UUID" }]);

    await t.client.deleteAddress({ addressId: office.id }, auth);
    expect((await t.client.listAddresses({}, auth)).addresses.map((a) => a.id)).toEqual([home.id]);
    expect((await failure(t.client.deleteAddress({ addressId: office.id }, auth))).code).toBe(Code.NotFound);
  });

  it("does not show or change another user's addresses", async () => {
    const owner = await t.signUp("owner@example.com");
    const other = await t.signUp("other@example.com");
    const { address } = await t.client.createAddress({ address: { address: berlin } }, owner.auth);
    expect((await t.client.listAddresses({}, other.auth)).addresses).toEqual([]);
    const error = await failure(
      t.client.updateAddress({ address: { id: address!.id, label: "mine now" } }, other.auth),
    );
    expect(error.code).toBe(Code.NotFound);
  });
});

describe("export and deletion", () => {
  it("exports everything identity holds about the caller", async () => {
    const { auth, tokens } = await t.signUp("export@example.com", "Ex Port");
    await t.client.createAddress({ address: { label: "Home", address: berlin } }, auth);
    const data = await t.client.exportUserData({}, auth);
    expect(data.user).toMatchObject({ email: "export@example.com", displayName: "Ex Port" });
    expect(data.addresses.map((a) => a.label)).toEqual(["Home"]);
    expect(data.sessions).toEqual([expect.objectContaining({ id: tokens.sessionId, current: true })]);
    expect(data.exportTime).toBeDefined();
  });

  it("deletes the account with the password: no more login, NOT_FOUND everywhere, email free again", async () => {
    const { userId, auth, tokens } = await t.signUp("delete@example.com");
    await t.client.createAddress({ address: { address: berlin } }, auth);
    const wrong = await failure(t.client.deleteAccount({ password: "not my password" }, auth));
    expect(fieldViolations(wrong).map((v) => v.field)).toEqual(["password"]);

    await t.client.deleteAccount({ password: PASSWORD }, auth);
    expect(await t.events(UserDeletedSchema, userId)).toEqual([expect.objectContaining({ userId })]);
    expect(
      errorReason(await failure(t.client.login({ email: "delete@example.com", password: PASSWORD }))),
    ).toBe("INVALID_CREDENTIALS");
    expect(errorReason(await failure(t.client.refreshToken({ refreshToken: tokens.refreshToken })))).toBe(
      "TOKEN_INVALID",
    );
    expect((await failure(t.client.getProfile({}, auth))).code).toBe(Code.NotFound);
    const admin = await t.admin();
    expect((await failure(t.client.getUser({ userId }, admin.auth))).code).toBe(Code.NotFound);
    const rows = await t.identity.db.execute("select 1 from user_addresses where user_id = ?", [userId]);
    expect(rows).toHaveLength(0);
    await t.client.register({ email: "delete@example.com", password: PASSWORD });
  });
});
