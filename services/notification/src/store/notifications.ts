import type { EntityManager } from "@shopmesh/kit/db";
import type { InAppNotification } from "../domain/inbox.ts";
import { type LockOption, toDate, toDateOrNull } from "./sql.ts";

export interface InboxFilter {
  userId: string;
  unreadOnly: boolean;
}

export interface NotificationRepository {
  /** False when the user has a notification of the same fact already (nothing is written). */
  insert(notification: InAppNotification): Promise<boolean>;
  byId(id: string, options?: LockOption): Promise<InAppNotification | undefined>;
  markRead(id: string, readTime: Date): Promise<void>;
  /** Newest first, after the cursor (a notification id), at most `limit`. */
  list(filter: InboxFilter, beforeId: string | undefined, limit: number): Promise<InAppNotification[]>;
  /** The user's notifications created after `afterId`, oldest first. */
  listAfter(userId: string, afterId: string, limit: number): Promise<InAppNotification[]>;
  unreadCount(userId: string): Promise<number>;
  deleteForUser(userId: string): Promise<void>;
}

const COLUMNS = `id, user_id as "userId", type, category, title, body, link, dedupe_key as "dedupeKey",
  create_time as "createTime", read_time as "readTime"`;

export function createNotificationRepository(em: EntityManager): NotificationRepository {
  const rowsOf = (rows: InAppNotification[]) => rows.map(toNotification);
  return {
    async insert(n) {
      const rows = await em.execute<{ id: string }[]>(
        `insert into notifications (id, user_id, type, category, title, body, link, dedupe_key, create_time, read_time)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict on constraint notifications_dedupe_key do nothing
         returning id`,
        [n.id, n.userId, n.type, n.category, n.title, n.body, n.link, n.dedupeKey, n.createTime, n.readTime],
      );
      return rows.length > 0;
    },
    async byId(id, options = {}) {
      const rows = await em.execute<InAppNotification[]>(
        `select ${COLUMNS} from notifications where id = ?${options.lock ? " for update" : ""}`,
        [id],
      );
      return rows[0] ? toNotification(rows[0]) : undefined;
    },
    async markRead(id, readTime) {
      await em.execute("update notifications set read_time = ? where id = ?", [readTime, id]);
    },
    async list(filter, beforeId, limit) {
      const where = ["user_id = ?"];
      const params: unknown[] = [filter.userId];
      if (filter.unreadOnly) where.push("read_time is null");
      if (beforeId) {
        where.push("id < ?");
        params.push(beforeId);
      }
      return rowsOf(
        await em.execute<InAppNotification[]>(
          `select ${COLUMNS} from notifications where ${where.join(" and ")} order by id desc limit ?`,
          [...params, limit],
        ),
      );
    },
    async listAfter(userId, afterId, limit) {
      return rowsOf(
        await em.execute<InAppNotification[]>(
          `select ${COLUMNS} from notifications where user_id = ? and id > ? order by id limit ?`,
          [userId, afterId, limit],
        ),
      );
    },
    async unreadCount(userId) {
      const rows = await em.execute<{ count: string }[]>(
        "select count(*) as count from notifications where user_id = ? and read_time is null",
        [userId],
      );
      return Number(rows[0]?.count ?? 0);
    },
    async deleteForUser(userId) {
      await em.execute("delete from notifications where user_id = ?", [userId]);
    },
  };
}

function toNotification(row: InAppNotification): InAppNotification {
  return { ...row, createTime: toDate(row.createTime), readTime: toDateOrNull(row.readTime) };
}
