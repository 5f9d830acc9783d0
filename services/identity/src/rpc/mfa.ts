import type { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { invalidField } from "@shopmesh/kit/errors";
import { requireUser, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { verifyPassword } from "../crypto/passwords.ts";
import { generateRecoveryCodes, generateTotpSecret, totpUri, verifyTotp } from "../crypto/totp.ts";
import {
  confirmTotp,
  disableTotp,
  invalidTotpCode,
  replaceRecoveryCodes,
  startTotpEnrollment,
} from "../domain/mfa.ts";
import type { User } from "../domain/user.ts";
import { eventMeta } from "../events.ts";
import { liveUser } from "./common.ts";
import type { IdentityDeps } from "./deps.ts";
import { check, required } from "./fields.ts";

type Handlers = ServiceHandlers<typeof IdentityService>;

/** TOTP multi-factor: EnrollTotp, ConfirmTotp, DisableTotp, RegenerateRecoveryCodes. */
export function mfaHandlers(
  deps: IdentityDeps,
): Pick<Handlers, "enrollTotp" | "confirmTotp" | "disableTotp" | "regenerateRecoveryCodes"> {
  const { store } = deps;

  return {
    async enrollTotp(_request, ctx) {
      const { userId } = requireUser(ctx);
      const secret = generateTotpSecret();
      const now = new Date();
      const user = await store.transaction(async (tx) => {
        const change = startTotpEnrollment(await liveUser(tx, userId, { lock: true }), secret, now);
        await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx));
        return change.user;
      });
      return { secret, otpauthUri: totpUri(secret, user.email) };
    },

    async confirmTotp(request, ctx) {
      const { userId } = requireUser(ctx);
      check(required(request.code, "code"));
      const now = new Date();
      const recovery = generateRecoveryCodes();
      await store.transaction(async (tx) => {
        const user = await liveUser(tx, userId, { lock: true });
        // Without an enrolment in progress confirmTotp refuses before looking at the step.
        const timeStep = user.mfa.status === "pending" ? await codeStep(user, request.code, now) : 0;
        const change = confirmTotp(user, { timeStep, recoveryCodeHashes: recovery.hashes }, now);
        await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx));
      });
      return { recoveryCodes: recovery.codes };
    },

    async disableTotp(request, ctx) {
      const { userId } = requireUser(ctx);
      check(required(request.password, "password"));
      const user = await liveUser(store.read(), userId);
      if (!(await verifyPassword(user.passwordHash, request.password))) {
        throw invalidField("password", "does not match your password");
      }
      const now = new Date();
      await store.transaction(async (tx) => {
        const locked = await liveUser(tx, userId, { lock: true });
        const change = disableTotp(locked, now);
        if (change.user !== locked) await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx));
      });
      return {};
    },

    async regenerateRecoveryCodes(request, ctx) {
      const { userId } = requireUser(ctx);
      check(required(request.code, "code"));
      const now = new Date();
      const recovery = generateRecoveryCodes();
      await store.transaction(async (tx) => {
        const user = await liveUser(tx, userId, { lock: true });
        const timeStep = user.mfa.status === "enabled" ? await codeStep(user, request.code, now) : 0;
        const change = replaceRecoveryCodes(user, { timeStep, recoveryCodeHashes: recovery.hashes }, now);
        await tx.users.update(change.user);
        tx.record(change.events, eventMeta(ctx));
      });
      return { recoveryCodes: recovery.codes };
    },
  };
}

/** The time step of a current, unused TOTP code of the user's secret; INVALID_ARGUMENT on `code` otherwise. */
async function codeStep(user: User, code: string, now: Date): Promise<number> {
  if (!user.mfa.totpSecret) throw invalidTotpCode("code");
  const result = await verifyTotp(user.mfa.totpSecret, code, { now, afterTimeStep: user.mfa.lastTotpStep });
  if (!result.valid) throw invalidTotpCode("code");
  return result.timeStep;
}
