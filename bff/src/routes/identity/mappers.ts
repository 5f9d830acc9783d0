import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import type { z } from "@hono/zod-openapi";
import type { Address as PostalAddress } from "@shopmesh/contracts/shopmesh/common/v1/address_pb";
import {
  Role,
  type Session,
  type TokenPair,
  type User,
  type UserAddress,
} from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { ProblemError } from "../../errors/index.ts";
import type { AddressSchema, SessionSchema, UserSchema } from "./schemas.ts";

/** Proto → JSON for the identity area; explicit, so the REST shape is ours, not the wire's. */

export function isoTime(timestamp: Timestamp | undefined): string {
  return timestamp ? timestampDate(timestamp).toISOString() : "";
}

function optionalTime(timestamp: Timestamp | undefined): string | undefined {
  return timestamp ? timestampDate(timestamp).toISOString() : undefined;
}

const ROLE_NAMES: Partial<Record<Role, "customer" | "support" | "admin">> = {
  [Role.CUSTOMER]: "customer",
  [Role.SUPPORT]: "support",
  [Role.ADMIN]: "admin",
};

export const ROLE_VALUES: Record<"customer" | "support" | "admin", Role> = {
  customer: Role.CUSTOMER,
  support: Role.SUPPORT,
  admin: Role.ADMIN,
};

export function userJson(user: User | undefined): z.infer<typeof UserSchema> {
  if (!user) throw new Error("the service answered without a user");
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    displayName: user.displayName,
    locale: user.locale,
    roles: user.roles.flatMap((role) => ROLE_NAMES[role] ?? []),
    mfaEnabled: user.mfaEnabled,
    locked: user.locked,
    ...(user.lockedReason ? { lockedReason: user.lockedReason } : {}),
    createTime: isoTime(user.createTime),
    updateTime: isoTime(user.updateTime),
    ...(user.lastLoginTime ? { lastLoginTime: optionalTime(user.lastLoginTime) } : {}),
  };
}

export function sessionJson(session: Session): z.infer<typeof SessionSchema> {
  return {
    id: session.id,
    userAgent: session.userAgent,
    ipAddress: session.ipAddress,
    createTime: isoTime(session.createTime),
    lastUsedTime: isoTime(session.lastUsedTime),
    expireTime: isoTime(session.expireTime),
    current: session.current,
  };
}

export function postalAddressJson(address: PostalAddress | undefined) {
  return {
    recipient: address?.recipient ?? "",
    line1: address?.line1 ?? "",
    ...(address?.line2 ? { line2: address.line2 } : {}),
    city: address?.city ?? "",
    ...(address?.region ? { region: address.region } : {}),
    postalCode: address?.postalCode ?? "",
    countryCode: address?.countryCode ?? "",
    ...(address?.phone ? { phone: address.phone } : {}),
  };
}

export function addressJson(address: UserAddress): z.infer<typeof AddressSchema> {
  return {
    id: address.id,
    label: address.label,
    address: postalAddressJson(address.address),
    defaultShipping: address.defaultShipping,
    defaultBilling: address.defaultBilling,
    createTime: isoTime(address.createTime),
    updateTime: isoTime(address.updateTime),
  };
}

export function tokensJson(tokens: TokenPair | undefined, user: User | undefined) {
  if (!tokens) throw new Error("the service answered without tokens");
  return {
    accessToken: tokens.accessToken,
    tokenType: "Bearer" as const,
    expiresIn: tokens.expiresIn,
    user: userJson(user),
  };
}

/**
 * The proto field-mask paths for a JSON patch: one path per key present, camelCase → snake_case,
 * nested objects one level deep ("address.postal_code"), so PATCH changes exactly what was sent.
 */
export function maskPaths(patch: Record<string, unknown>, nested: readonly string[] = []): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (nested.includes(key) && value && typeof value === "object") {
      for (const inner of Object.keys(value)) paths.push(`${snake(key)}.${snake(inner)}`);
    } else paths.push(snake(key));
  }
  return paths;
}

/** The mask of a PATCH body; an empty patch is refused rather than read as "every field". */
export function patchMask(
  patch: Record<string, unknown>,
  nested: readonly string[] = [],
): { paths: string[] } {
  const paths = maskPaths(patch, nested);
  if (paths.length === 0) {
    throw new ProblemError({
      status: 400,
      code: "VALIDATION_FAILED",
      detail: "The patch changes nothing: send at least one field.",
      errors: [{ field: "body", message: "must contain at least one field" }],
    });
  }
  return { paths };
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
