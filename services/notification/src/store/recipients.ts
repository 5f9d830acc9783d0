import type { EntityManager } from "@shopmesh/kit/db";
import type { Recipient } from "../domain/recipient.ts";
import { toDate } from "./sql.ts";

/** The facts of a user an event or identity told; unset fields keep their stored value. */
export interface RecipientFacts {
  userId: string;
  email?: string;
  name?: string;
  locale?: string;
  isAdmin?: boolean;
}

export interface RecipientRepository {
  byId(userId: string): Promise<Recipient | undefined>;
  /** Inserts or updates the given facts; a deleted account stays deleted. */
  save(facts: RecipientFacts, now: Date): Promise<void>;
  /** Erases what is known of the user and marks the account deleted. */
  markDeleted(userId: string, now: Date): Promise<void>;
  /** Users with the admin role whose account exists. */
  admins(): Promise<Recipient[]>;
  /** Takes the admin role from every projected admin not in `userIds` (identity's list). */
  keepOnlyAdmins(userIds: readonly string[], now: Date): Promise<void>;
}

const COLUMNS = `user_id as "userId", email, display_name as "name", locale, is_admin as "isAdmin", deleted,
  update_time as "updateTime"`;

export function createRecipientRepository(em: EntityManager): RecipientRepository {
  return {
    async byId(userId) {
      const rows = await em.execute<Recipient[]>(`select ${COLUMNS} from recipients where user_id = ?`, [
        userId,
      ]);
      const row = rows[0];
      return row ? { ...row, updateTime: toDate(row.updateTime) } : undefined;
    },

    async save(facts, now) {
      // Absent facts keep the stored value (coalesce with null), new rows start empty.
      await em.execute(
        `insert into recipients as r (user_id, email, display_name, locale, is_admin, update_time)
         values (?, coalesce(?, ''), coalesce(?, ''), coalesce(?, ''), coalesce(?::boolean, false), ?)
         on conflict (user_id) do update set
           email = coalesce(?, r.email),
           display_name = coalesce(?, r.display_name),
           locale = coalesce(?, r.locale),
           is_admin = coalesce(?::boolean, r.is_admin),
           update_time = excluded.update_time
         where not r.deleted`,
        [
          facts.userId,
          facts.email ?? null,
          facts.name ?? null,
          facts.locale ?? null,
          facts.isAdmin ?? null,
          now,
          facts.email ?? null,
          facts.name ?? null,
          facts.locale ?? null,
          facts.isAdmin ?? null,
        ],
      );
    },

    async markDeleted(userId, now) {
      await em.execute(
        `insert into recipients as r (user_id, deleted, update_time) values (?, true, ?)
         on conflict (user_id) do update set email = '', display_name = '', locale = '', is_admin = false,
           deleted = true, update_time = excluded.update_time`,
        [userId, now],
      );
    },

    async admins() {
      const rows = await em.execute<Recipient[]>(
        `select ${COLUMNS} from recipients where is_admin and not deleted order by user_id`,
      );
      return rows.map((row) => ({ ...row, updateTime: toDate(row.updateTime) }));
    },

    async keepOnlyAdmins(userIds, now) {
      await em.execute(
        `update recipients set is_admin = false, update_time = ?
          where is_admin and not (user_id = any(?::uuid[]))`,
        [now, `{${userIds.join(",")}}`],
      );
    },
  };
}
