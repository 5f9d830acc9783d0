import {
  EmailVerificationRequestedSchema,
  EmailVerifiedSchema,
  PasswordResetRequestedSchema,
  ProfileUpdatedSchema,
  UserDeletedSchema,
  UserRegisteredSchema,
  UserRolesChangedSchema,
} from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { Role } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { createConsumer, type EventConsumer, type HandlerEntry, on } from "@shopmesh/kit/events";
import { emailVerificationIntent, passwordResetIntent, welcomeIntent } from "../domain/intents.ts";
import { type ConsumerDeps, consumerBase, sourceOf } from "./common.ts";

/** The durable consumer's name on identity's stream. */
export const IDENTITY_CONSUMER = "notification-identity";

/**
 * identity's events: the account messages (welcome, email verification, password reset), and
 * the recipients projection (address, name, locale, admin role, deletion). One event at a time,
 * in stream order, so a user's changes apply in the order they happened.
 */
export function createIdentityConsumer(deps: ConsumerDeps): EventConsumer {
  const { store, intake } = deps;
  const handlers: HandlerEntry[] = [
    on(UserRegisteredSchema, async (event, em) => {
      const tx = store.within(em);
      const user = event.data;
      await tx.recipients.save(
        { userId: user.userId, email: user.email, name: user.displayName, locale: user.locale },
        event.time,
      );
      await intake.accept(tx, welcomeIntent(user), sourceOf(event));
    }),
    on(EmailVerificationRequestedSchema, async (event, em) => {
      await intake.accept(store.within(em), emailVerificationIntent(event.data, event.id), sourceOf(event));
    }),
    on(PasswordResetRequestedSchema, async (event, em) => {
      await intake.accept(store.within(em), passwordResetIntent(event.data, event.id), sourceOf(event));
    }),
    on(EmailVerifiedSchema, async (event, em) => {
      await store
        .within(em)
        .recipients.save({ userId: event.data.userId, email: event.data.email }, event.time);
    }),
    on(ProfileUpdatedSchema, async (event, em) => {
      // The event names what changed, not the new values: identity tells them.
      if (!deps.identity) return;
      const facts = await deps.identity.user(event.data.userId);
      if (facts) await store.within(em).recipients.save(facts, event.time);
    }),
    on(UserRolesChangedSchema, async (event, em) => {
      await store
        .within(em)
        .recipients.save(
          { userId: event.data.userId, isAdmin: event.data.roles.includes(Role.ADMIN) },
          event.time,
        );
    }),
    on(UserDeletedSchema, async (event, em) => {
      // GDPR erasure: nothing of the person stays here, and nothing more is sent to them.
      const tx = store.within(em);
      const userId = event.data.userId;
      await tx.recipients.markDeleted(userId, event.time);
      await tx.preferences.deleteForUser(userId);
      await tx.notifications.deleteForUser(userId);
      await tx.deliveries.eraseForUser(userId, event.time);
    }),
  ];
  return createConsumer({
    ...consumerBase(deps, IDENTITY_CONSUMER),
    context: "identity",
    handlers,
  });
}
