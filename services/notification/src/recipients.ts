import type { Logger } from "@shopmesh/kit/log";
import { SendError } from "./channels/index.ts";
import type { Delivery } from "./domain/delivery.ts";
import type { IdentityDirectory } from "./identity-directory.ts";
import type { NotificationStore } from "./store/index.ts";

/** Where and how a delivery goes. */
export interface ResolvedRecipient {
  /** The address for the channel. */
  address: string;
  locale: string;
  name: string;
  email: string;
}

export interface RecipientResolver {
  /** Throws a SendError: permanent when the account is gone or has no address, else retried. */
  resolve(delivery: Delivery): Promise<ResolvedRecipient>;
  /**
   * Copies identity's admins into the recipients (when identity can be asked), retrying until it
   * worked once; resolves when done or stopped.
   */
  syncAdmins(signal: AbortSignal): Promise<void>;
}

export interface RecipientResolverOptions {
  store: NotificationStore;
  defaultLocale: string;
  /** Asked about users the events have not told of; without it those deliveries wait and retry. */
  identity?: IdentityDirectory;
  logger: Logger;
}

/**
 * Finds the address and locale of a delivery's recipient when it is sent: from the recipients
 * projection (identity's events), else from identity when configured, whose answer is kept. A
 * user nobody knows yet is a passing failure: their UserRegistered may still be on its way on
 * identity's stream, which is consumed independently of the order stream.
 */
export function createRecipientResolver(options: RecipientResolverOptions): RecipientResolver {
  const { store, identity, logger } = options;

  async function lookUp(userId: string) {
    const known = await store.read().recipients.byId(userId);
    if (known || !identity) return known;
    const facts = await identity.user(userId).catch((error: unknown) => {
      throw new SendError(`identity did not answer: ${(error as Error)?.message ?? error}`, {
        permanent: false,
        cause: error,
      });
    });
    if (!facts) throw new SendError(`user ${userId} does not exist`, { permanent: true });
    await store.transaction((tx) => tx.recipients.save(facts, new Date()));
    return store.read().recipients.byId(userId);
  }

  return {
    async resolve(delivery) {
      const fallbackLocale = delivery.locale || options.defaultLocale;
      if (!delivery.userId) {
        return { address: delivery.recipient, locale: fallbackLocale, name: "", email: delivery.recipient };
      }
      const known = await lookUp(delivery.userId);
      if (known?.deleted) throw new SendError("the account was deleted", { permanent: true });
      if (!known && !(delivery.channel === "email" && delivery.recipient)) {
        throw new SendError(`recipient ${delivery.userId} is not known yet`, { permanent: false });
      }
      const email =
        delivery.channel === "email" ? delivery.recipient || known?.email || "" : (known?.email ?? "");
      const address = delivery.channel === "email" ? email : delivery.recipient;
      if (!address) {
        throw new SendError(
          `no ${delivery.channel === "sms" ? "phone number" : "address"} for ${delivery.channel}`,
          {
            permanent: true,
          },
        );
      }
      return {
        address,
        locale: delivery.locale || known?.locale || options.defaultLocale,
        name: known?.name ?? "",
        email,
      };
    },

    async syncAdmins(signal) {
      if (!identity) return;
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          const admins = await identity.admins();
          await store.transaction(async (tx) => {
            const now = new Date();
            for (const admin of admins) await tx.recipients.save(admin, now);
            await tx.recipients.keepOnlyAdmins(
              admins.map((admin) => admin.userId),
              now,
            );
          });
          logger.info({ admins: admins.length }, "admins copied from identity");
          return;
        } catch (error) {
          const delayMs = Math.min(60_000, 1_000 * 2 ** attempt);
          logger.warn(
            { err: error, retryInMs: delayMs },
            "could not copy the admins from identity; retrying",
          );
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delayMs);
            timer.unref();
            signal.addEventListener("abort", () => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
      }
    },
  };
}
