import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  JsonWebKeySchema,
  SessionSchema,
  TokenPairSchema,
  UserAddress as UserAddressMessage,
  UserAddressSchema,
  UserSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import type { SignedAccessToken } from "../crypto/signing-keys.ts";
import type { AddressInput, UserAddress } from "../domain/addresses.ts";
import { activeLock } from "../domain/lock.ts";
import { roleToProto } from "../domain/roles.ts";
import type { Session } from "../domain/session.ts";
import type { PublicJwk } from "../domain/signing-keys.ts";
import type { User } from "../domain/user.ts";

/** Proto ↔ domain mapping of identity's messages, field by field. */

export function userToProto(user: User, now: Date): MessageInitShape<typeof UserSchema> {
  const lock = activeLock(user, now);
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    displayName: user.displayName,
    roles: user.roles.map(roleToProto),
    locked: lock !== null,
    lockedReason: lock?.reason ?? "",
    mfaEnabled: user.mfa.status === "enabled",
    locale: user.locale,
    createTime: timestampFromDate(user.createTime),
    updateTime: timestampFromDate(user.updateTime),
    ...(user.lastLoginTime ? { lastLoginTime: timestampFromDate(user.lastLoginTime) } : {}),
  };
}

/** `currentId`: the session of the caller's access token, marked `current`. */
export function sessionToProto(session: Session, currentId?: string): MessageInitShape<typeof SessionSchema> {
  return {
    id: session.id,
    userAgent: session.userAgent,
    ipAddress: session.ipAddress,
    createTime: timestampFromDate(session.createTime),
    lastUsedTime: timestampFromDate(session.lastUsedTime),
    expireTime: timestampFromDate(session.expireTime),
    current: session.id === currentId,
  };
}

export function addressToProto(address: UserAddress): MessageInitShape<typeof UserAddressSchema> {
  return {
    id: address.id,
    label: address.label,
    address: { ...address.address },
    defaultShipping: address.defaultShipping,
    defaultBilling: address.defaultBilling,
    createTime: timestampFromDate(address.createTime),
    updateTime: timestampFromDate(address.updateTime),
  };
}

/** What a request's UserAddress says; an absent `address` stays absent (required on create). */
export function addressFromProto(message: UserAddressMessage | undefined): AddressInput {
  if (!message) return {};
  const postal = message.address;
  return {
    label: message.label,
    defaultShipping: message.defaultShipping,
    defaultBilling: message.defaultBilling,
    ...(postal
      ? {
          address: {
            recipient: postal.recipient,
            line1: postal.line1,
            line2: postal.line2,
            city: postal.city,
            region: postal.region,
            postalCode: postal.postalCode,
            countryCode: postal.countryCode,
            phone: postal.phone,
          },
        }
      : {}),
  };
}

export function tokenPairToProto(
  access: SignedAccessToken,
  refreshToken: string,
  session: Session,
): MessageInitShape<typeof TokenPairSchema> {
  return {
    accessToken: access.token,
    expiresIn: access.expiresIn,
    refreshToken,
    refreshTokenExpireTime: timestampFromDate(session.expireTime),
    sessionId: session.id,
  };
}

export function jwkToProto(jwk: PublicJwk): MessageInitShape<typeof JsonWebKeySchema> {
  return { kid: jwk.kid, kty: jwk.kty, crv: jwk.crv, x: jwk.x, alg: jwk.alg, use: jwk.use };
}
