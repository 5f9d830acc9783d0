import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  EmailVerificationRequestedSchema,
  PasswordResetRequestedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { type DomainEvent, domainEvent } from "@shopmesh/kit/domain-events";
import { failedPrecondition } from "@shopmesh/kit/errors";
import { tokenInvalid } from "./errors.ts";
import { assertActive, type User } from "./user.ts";

/** What a single-use emailed token lets its holder do. */
export type ActionTokenKind = "email_verification" | "password_reset";

/**
 * How long each kind stays valid. Reset tokens are short-lived: whoever holds one can take over
 * the account.
 */
export const ACTION_TOKEN_TTL_MS: Readonly<Record<ActionTokenKind, number>> = Object.freeze({
  email_verification: 24 * 60 * 60_000,
  password_reset: 60 * 60_000,
});

/** A single-use token sent by email, stored only as its hash (crypto/tokens hashToken). */
export interface ActionToken {
  /** The lookup key. */
  hash: string;
  kind: ActionTokenKind;
  userId: string;
  createTime: Date;
  expireTime: Date;
  /** When it was used; a used token is refused. */
  useTime: Date | null;
}

export interface IssuedActionToken {
  actionToken: ActionToken;
  /** EmailVerificationRequested or PasswordResetRequested, carrying the raw token for the mail. */
  events: DomainEvent[];
}

export interface IssueOptions {
  /** The raw token (crypto/tokens generateToken), for the event only. */
  token: string;
  /** Its hash, the only form stored. */
  tokenHash: string;
  now: Date;
}

/** A token that verifies the account's email; refused when it is verified already. */
export function issueEmailVerification(user: User, options: IssueOptions): IssuedActionToken {
  assertActive(user);
  if (user.emailVerified) throw failedPrecondition("the email is verified already");
  const actionToken = newActionToken("email_verification", user, options);
  const event = domainEvent(EmailVerificationRequestedSchema, user.id, {
    userId: user.id,
    email: user.email,
    displayName: user.displayName,
    locale: user.locale,
    token: options.token,
    expireTime: timestampFromDate(actionToken.expireTime),
  });
  return { actionToken, events: [event] };
}

/**
 * A token that sets a new password. The caller answers RequestPasswordReset the same way
 * whether or not it issued one, so the call does not reveal which emails are registered.
 */
export function issuePasswordReset(user: User, options: IssueOptions): IssuedActionToken {
  assertActive(user);
  const actionToken = newActionToken("password_reset", user, options);
  const event = domainEvent(PasswordResetRequestedSchema, user.id, {
    userId: user.id,
    email: user.email,
    displayName: user.displayName,
    locale: user.locale,
    token: options.token,
    expireTime: timestampFromDate(actionToken.expireTime),
  });
  return { actionToken, events: [event] };
}

function newActionToken(kind: ActionTokenKind, user: User, options: IssueOptions): ActionToken {
  return {
    hash: options.tokenHash,
    kind,
    userId: user.id,
    createTime: options.now,
    expireTime: new Date(options.now.getTime() + ACTION_TOKEN_TTL_MS[kind]),
    useTime: null,
  };
}

/**
 * Uses a token looked up by hash (pass undefined when none was found): it must be of `kind`,
 * unused and unexpired, else unauthenticated TOKEN_INVALID, the same for every cause. Returns the
 * token marked used; store it in the same transaction as the change it authorises.
 *
 * After a password reset the caller should also delete the user's other reset tokens.
 */
export function useActionToken(
  token: ActionToken | undefined,
  kind: ActionTokenKind,
  now: Date,
): ActionToken {
  if (
    token === undefined ||
    token.kind !== kind ||
    token.useTime !== null ||
    token.expireTime.getTime() <= now.getTime()
  ) {
    throw tokenInvalid(`the ${kind.replace("_", " ")} token is invalid, used or expired`);
  }
  return { ...token, useTime: now };
}
