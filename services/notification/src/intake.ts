import { causedBy, type EventMeta } from "@shopmesh/kit/events";
import { newId } from "@shopmesh/kit/ids";
import { type Channel, categoryOf } from "./domain/catalogue.ts";
import { queueDelivery } from "./domain/delivery.ts";
import { createInAppNotification } from "./domain/inbox.ts";
import type { NotificationIntent } from "./domain/intent.ts";
import { type PlannedRecipient, planChannels } from "./domain/plan.ts";
import { effectivePreferences } from "./domain/preferences.ts";
import type { Transaction } from "./store/index.ts";
import type { TemplateLibrary } from "./templates/library.ts";

/** The event an intent came from. */
export interface IntentSource {
  id: string;
  type: string;
  meta: EventMeta;
}

/** What accepting one intent made. */
export interface IntakeResult {
  deliveries: number;
  inApp: number;
}

export interface Intake {
  /**
   * Turns an intent into queued deliveries and in-app notifications, in the transaction of the
   * event that asked for it (the consumer's, whose inbox row commits with them). Nothing is sent
   * here: the dispatcher sends queued deliveries after commit, so a redelivered event, caught by
   * the inbox, can never send twice, and a duplicate fact (same dedupe key) adds nothing.
   */
  accept(
    tx: Transaction,
    intent: NotificationIntent,
    source: IntentSource,
    now?: Date,
  ): Promise<IntakeResult>;
}

export interface IntakeOptions {
  library: TemplateLibrary;
  defaultLocale: string;
  /** NOTIFY_ADMIN_EMAILS: stock alerts go here too (email only). */
  adminEmails: readonly string[];
}

/** One recipient with what is known of them when the intent arrives. */
interface Target {
  planned: PlannedRecipient;
  userId: string | null;
  /** "" when unknown: looked up when sending. */
  email: string;
  locale: string;
  name: string;
}

export function createIntake(options: IntakeOptions): Intake {
  const { library } = options;

  async function targetsOf(tx: Transaction, intent: NotificationIntent): Promise<Target[]> {
    const audience = intent.audience;
    if (audience.kind === "user") {
      const known = await tx.recipients.byId(audience.userId);
      if (known?.deleted) return [];
      const stored = await tx.preferences.forUser(audience.userId);
      return [
        {
          planned: {
            kind: "user",
            userId: audience.userId,
            preferences: effectivePreferences(audience.userId, stored.settings, stored.updateTime),
            ...(audience.phone ? { phone: audience.phone } : {}),
          },
          userId: audience.userId,
          // The event's address wins: a reset link goes where it was asked for.
          email: audience.email ?? "",
          locale: audience.locale ?? known?.locale ?? "",
          name: audience.name ?? known?.name ?? "",
        },
      ];
    }
    const admins = await tx.recipients.admins();
    const preferences = await tx.preferences.forUsers(admins.map((admin) => admin.userId));
    const targets: Target[] = admins.map((admin) => {
      const stored = preferences.get(admin.userId) ?? { settings: [], updateTime: null };
      return {
        planned: {
          kind: "user",
          userId: admin.userId,
          preferences: effectivePreferences(admin.userId, stored.settings, stored.updateTime),
        },
        userId: admin.userId,
        email: admin.email,
        locale: admin.locale,
        name: admin.name,
      };
    });
    const adminEmails = new Set(admins.map((admin) => admin.email.toLowerCase()));
    for (const email of options.adminEmails) {
      if (adminEmails.has(email)) continue;
      targets.push({ planned: { kind: "address", email }, userId: null, email, locale: "", name: "" });
    }
    return targets;
  }

  function address(channel: Channel, target: Target, intent: NotificationIntent): string {
    if (channel === "email") return target.email;
    if (channel === "sms") return intent.audience.kind === "user" ? (intent.audience.phone ?? "") : "";
    return target.userId ? `user:${target.userId}` : "";
  }

  return {
    async accept(tx, intent, source, now = new Date()) {
      const category = categoryOf(intent.type);
      const meta = causedBy(source);
      const result: IntakeResult = { deliveries: 0, inApp: 0 };
      for (const target of await targetsOf(tx, intent)) {
        for (const channel of planChannels(intent.type, target.planned)) {
          if (channel === "in_app") {
            if (!target.userId) continue;
            // Rendered now, in the locale known now: the inbox shows the text as it was made.
            const rendered = library.render({
              type: intent.type,
              channel,
              locale: target.locale || options.defaultLocale,
              data: intent.data,
              recipient: { name: target.name, email: target.email },
            });
            const change = createInAppNotification(
              {
                id: newId(),
                userId: target.userId,
                type: intent.type,
                category,
                title: rendered.parts.title ?? "",
                body: rendered.parts.body ?? "",
                link: intent.link,
                dedupeKey: intent.dedupeKey,
              },
              now,
            );
            if (await tx.notifications.insert(change.notification)) {
              tx.record(change.events, meta);
              result.inApp++;
            }
            continue;
          }
          const recipient = address(channel, target, intent);
          const delivery = queueDelivery({
            id: newId(),
            type: intent.type,
            category,
            channel,
            userId: target.userId,
            recipientKey: target.userId ?? `email:${recipient}`,
            recipient,
            locale: intent.audience.kind === "user" ? (intent.audience.locale ?? "") : "",
            data: intent.data,
            dedupeKey: intent.dedupeKey,
            eventId: source.id,
            eventType: source.type,
            now,
          });
          if (await tx.deliveries.insert(delivery)) result.deliveries++;
        }
      }
      return result;
    },
  };
}
