import { type Channel, categoryOf, NOTIFICATION_TYPES, type NotificationType } from "./catalogue.ts";
import { allows, type Preferences } from "./preferences.ts";

/**
 * Which channels a notification goes out on for one recipient: the channels its type is written
 * for, that the recipient's preferences allow, and that the recipient can be reached on.
 */

/** Someone a notification is planned for. */
export type PlannedRecipient =
  | {
      kind: "user";
      userId: string;
      preferences: Preferences;
      /** A phone to text; SMS is planned only with one. */
      phone?: string;
    }
  /** An address from configuration (NOTIFY_ADMIN_EMAILS): email only, no preferences. */
  | { kind: "address"; email: string };

/** The channels to use, in the type's order. */
export function planChannels(type: NotificationType, recipient: PlannedRecipient): Channel[] {
  const channels: readonly Channel[] = NOTIFICATION_TYPES[type].channels;
  if (recipient.kind === "address") return channels.filter((channel) => channel === "email");
  const category = categoryOf(type);
  return channels.filter((channel) => {
    if (!allows(recipient.preferences, category, channel)) return false;
    if (channel === "sms") return Boolean(recipient.phone);
    return true;
  });
}
