import type { FieldViolation } from "@shopmesh/kit/errors";
import { CATEGORIES, type Category, CHANNELS, type Channel } from "./catalogue.ts";

/**
 * Per-user notification preferences: one switch per category and channel. Where a user never
 * chose, the default applies. Email of the transactional categories is locked on: an order
 * confirmation or a password reset always goes, whatever the user turned off.
 */

/** Categories whose email always goes. */
export const TRANSACTIONAL: readonly Category[] = ["account", "orders"];

/**
 * The defaults: email and in-app on for what users expect from a shop, push on for orders,
 * SMS off until asked for (it costs money and needs a phone number), marketing off until the
 * user opts in.
 */
const DEFAULTS: Record<Category, Record<Channel, boolean>> = {
  account: { email: true, sms: false, push: false, in_app: true },
  orders: { email: true, sms: false, push: true, in_app: true },
  marketing: { email: false, sms: false, push: false, in_app: false },
  stock_alerts: { email: true, sms: false, push: false, in_app: true },
};

/** One switch as a user set it. */
export interface StoredSetting {
  category: Category;
  channel: Channel;
  enabled: boolean;
}

/** One switch with its effective value. */
export interface PreferenceSetting extends StoredSetting {
  locked: boolean;
}

export interface Preferences {
  userId: string;
  /** Every category × channel, in CATEGORIES × CHANNELS order. */
  settings: PreferenceSetting[];
  /** When the user last changed a switch; null when never. */
  updateTime: Date | null;
}

/** True when the user cannot turn this off. */
export function isLocked(category: Category, channel: Channel): boolean {
  return channel === "email" && TRANSACTIONAL.includes(category);
}

/** The effective preferences of a user from the switches they set. */
export function effectivePreferences(
  userId: string,
  stored: readonly StoredSetting[],
  updateTime: Date | null,
): Preferences {
  const chosen = new Map(stored.map((s) => [`${s.category}/${s.channel}`, s.enabled]));
  const settings: PreferenceSetting[] = [];
  for (const category of CATEGORIES) {
    for (const channel of CHANNELS) {
      const locked = isLocked(category, channel);
      const enabled = locked || (chosen.get(`${category}/${channel}`) ?? DEFAULTS[category][channel]);
      settings.push({ category, channel, enabled, locked });
    }
  }
  return { userId, settings, updateTime };
}

/** Whether a notification of `category` goes out on `channel` under `preferences`. */
export function allows(preferences: Preferences, category: Category, channel: Channel): boolean {
  return preferences.settings.some((s) => s.category === category && s.channel === channel && s.enabled);
}

/** A requested change; category and channel are undefined when the request named none or an unknown one. */
export interface SettingChange {
  category: Category | undefined;
  channel: Channel | undefined;
  enabled: boolean;
}

/**
 * Violations of an update: every change must name a category and a channel, each pair at most
 * once, and a locked switch cannot be turned off. `field` prefixes the violations ("settings").
 */
export function checkSettingChanges(changes: readonly SettingChange[], field: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  if (changes.length === 0) violations.push({ field, description: "must name at least one setting" });
  changes.forEach((change, index) => {
    const at = `${field}[${index}]`;
    if (!change.category) violations.push({ field: `${at}.category`, description: "must be a category" });
    if (!change.channel) violations.push({ field: `${at}.channel`, description: "must be a channel" });
    if (!change.category || !change.channel) return;
    const key = `${change.category}/${change.channel}`;
    if (seen.has(key)) {
      violations.push({ field: at, description: `${change.category} ${change.channel} is named twice` });
    }
    seen.add(key);
    if (!change.enabled && isLocked(change.category, change.channel)) {
      violations.push({
        field: `${at}.enabled`,
        description: `${change.category} email is transactional and always sent`,
      });
    }
  });
  return violations;
}
