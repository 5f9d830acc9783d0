import type { EntityManager } from "@shopmesh/kit/db";
import type { Category, Channel } from "../domain/catalogue.ts";
import type { StoredSetting } from "../domain/preferences.ts";
import { toDate } from "./sql.ts";

export interface StoredPreferences {
  settings: StoredSetting[];
  /** The latest change; null when the user never set anything. */
  updateTime: Date | null;
}

export interface PreferenceRepository {
  forUser(userId: string): Promise<StoredPreferences>;
  forUsers(userIds: readonly string[]): Promise<Map<string, StoredPreferences>>;
  save(userId: string, settings: readonly StoredSetting[], now: Date): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
}

interface Row {
  userId: string;
  category: Category;
  channel: Channel;
  enabled: boolean;
  updateTime: unknown;
}

export function createPreferenceRepository(em: EntityManager): PreferenceRepository {
  const load = async (userIds: readonly string[]) => {
    const byUser = new Map<string, StoredPreferences>(
      userIds.map((id) => [id, { settings: [], updateTime: null }]),
    );
    if (userIds.length === 0) return byUser;
    const rows = await em.execute<Row[]>(
      `select user_id as "userId", category, channel, enabled, update_time as "updateTime"
         from preferences where user_id = any(?::uuid[])`,
      [`{${userIds.join(",")}}`],
    );
    for (const row of rows) {
      const entry = byUser.get(row.userId) ?? { settings: [], updateTime: null };
      entry.settings.push({ category: row.category, channel: row.channel, enabled: row.enabled });
      const time = toDate(row.updateTime);
      if (!entry.updateTime || time > entry.updateTime) entry.updateTime = time;
      byUser.set(row.userId, entry);
    }
    return byUser;
  };
  return {
    async forUser(userId) {
      return (await load([userId])).get(userId)!;
    },
    forUsers: load,
    async save(userId, settings, now) {
      for (const setting of settings) {
        await em.execute(
          `insert into preferences (user_id, category, channel, enabled, update_time) values (?, ?, ?, ?, ?)
           on conflict (user_id, category, channel) do update
             set enabled = excluded.enabled, update_time = excluded.update_time`,
          [userId, setting.category, setting.channel, setting.enabled, now],
        );
      }
    },
    async deleteForUser(userId) {
      await em.execute("delete from preferences where user_id = ?", [userId]);
    },
  };
}
