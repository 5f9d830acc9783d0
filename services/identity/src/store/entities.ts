import { defineEntity, type InferEntity, p } from "@shopmesh/kit/db";

/**
 * The identity tables as MikroORM entities. Rows are plain column values: the repositories of
 * this folder map them to the domain's aggregates and back explicitly, so no ORM relation or
 * serialisation sits on a request path. The SQL that creates them is in migrations.ts.
 */

export const UserRow = defineEntity({
  name: "UserRow",
  tableName: "users",
  properties: {
    id: p.uuid().primary(),
    /** Normalised; unique (constraint users_email_key). */
    email: p.text(),
    emailVerified: p.boolean(),
    passwordHash: p.text(),
    displayName: p.text(),
    locale: p.text(),
    roles: p.array(),
    lockReason: p.text().strictNullable(),
    lockUntil: p.datetime().strictNullable(),
    lockSince: p.datetime().strictNullable(),
    failedLogins: p.integer(),
    failedLoginsSince: p.datetime().strictNullable(),
    mfaStatus: p.text(),
    /** Sealed with the secret box, the user id as context. */
    totpSecret: p.text().strictNullable(),
    recoveryCodeHashes: p.array(),
    lastTotpStep: p.integer().strictNullable(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    lastLoginTime: p.datetime().strictNullable(),
    deleteTime: p.datetime().strictNullable(),
  },
});
export type UserRow = InferEntity<typeof UserRow>;

export const SessionRow = defineEntity({
  name: "SessionRow",
  tableName: "sessions",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    tokenHash: p.text(),
    generation: p.integer(),
    userAgent: p.text(),
    ipAddress: p.text(),
    createTime: p.datetime(),
    lastUsedTime: p.datetime(),
    expireTime: p.datetime(),
    revokeTime: p.datetime().strictNullable(),
    revokeReason: p.text().strictNullable(),
  },
});
export type SessionRow = InferEntity<typeof SessionRow>;

export const RefreshTokenRow = defineEntity({
  name: "RefreshTokenRow",
  tableName: "refresh_tokens",
  properties: {
    hash: p.text().primary(),
    sessionId: p.uuid(),
    generation: p.integer(),
    createTime: p.datetime(),
  },
});
export type RefreshTokenRow = InferEntity<typeof RefreshTokenRow>;

export const ActionTokenRow = defineEntity({
  name: "ActionTokenRow",
  tableName: "action_tokens",
  properties: {
    hash: p.text().primary(),
    kind: p.text(),
    userId: p.uuid(),
    createTime: p.datetime(),
    expireTime: p.datetime(),
    useTime: p.datetime().strictNullable(),
  },
});
export type ActionTokenRow = InferEntity<typeof ActionTokenRow>;

export const AddressRow = defineEntity({
  name: "AddressRow",
  tableName: "user_addresses",
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    label: p.text(),
    recipient: p.text(),
    line1: p.text(),
    line2: p.text(),
    city: p.text(),
    region: p.text(),
    postalCode: p.text(),
    countryCode: p.text(),
    phone: p.text(),
    defaultShipping: p.boolean(),
    defaultBilling: p.boolean(),
    createTime: p.datetime(),
    updateTime: p.datetime(),
  },
});
export type AddressRow = InferEntity<typeof AddressRow>;

export const SigningKeyRow = defineEntity({
  name: "SigningKeyRow",
  tableName: "signing_keys",
  properties: {
    kid: p.text().primary(),
    /** PKCS #8 PEM sealed with the secret box, the kid as context. */
    privateKey: p.text(),
    publicJwk: p.json<Record<string, string>>(),
    createTime: p.datetime(),
    retireTime: p.datetime().strictNullable(),
  },
});
export type SigningKeyRow = InferEntity<typeof SigningKeyRow>;

/** Every identity entity, for createDb (with the kit's outbox entities). */
export const IDENTITY_ENTITIES = [
  UserRow,
  SessionRow,
  RefreshTokenRow,
  ActionTokenRow,
  AddressRow,
  SigningKeyRow,
];
