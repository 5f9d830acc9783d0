import { type Db, type EntityManager, IsolationLevel } from "@shopmesh/kit/db";
import { type AuditedEvent, entryFields } from "../domain/audited-event.ts";
import { type AuditEntry, createChainVerifier, type Verification } from "../domain/chain.ts";
import type { DashboardQuery } from "../domain/dashboard.ts";
import { projectEvent } from "../domain/projection.ts";
import { createDashboardRepository, type DashboardData } from "./dashboard.ts";
import { createEntryRepository, type EntryFilter } from "./entries.ts";
import { createProjectionWriter } from "./projections.ts";
import { emSql } from "./sql.ts";

export type { DashboardData } from "./dashboard.ts";
export type { EntryFilter } from "./entries.ts";
export { MIGRATIONS, PROJECTION_TABLES } from "./migrations.ts";

/** Entries read per query while verifying. */
const VERIFY_BATCH = 1000;

export interface AuditStore {
  /**
   * Appends the entry of `event` to the chain and applies its projection changes, in the
   * transaction of `em` (the consumer's, which also holds the inbox row). Answers undefined,
   * changing nothing, when the log already holds the event.
   */
  record(em: EntityManager, event: AuditedEvent): Promise<AuditEntry | undefined>;
  /** Newest first. */
  list(filter: EntryFilter, afterSequence: number | undefined, limit: number): Promise<AuditEntry[]>;
  /** Recomputes the chain from the first entry, in one snapshot, and compares it with the head. */
  verify(): Promise<Verification>;
  /** The dashboard's figures, read in one snapshot. */
  dashboard(query: DashboardQuery): Promise<DashboardData>;
}

export function createAuditStore(options: { db: Db }): AuditStore {
  const { db } = options;
  const schema = db.schema;
  const project = createProjectionWriter(schema);
  const snapshot = <T>(fn: (em: EntityManager) => Promise<T>) =>
    db.transaction(fn, { isolationLevel: IsolationLevel.REPEATABLE_READ });

  return {
    async record(em, event) {
      const sql = emSql(em);
      const entries = createEntryRepository(sql, schema);
      // Summarised before the head is locked: the lock is held for as short a time as possible.
      const fields = entryFields(event);
      const head = await entries.lockHead();
      if (await entries.has(event.id)) return undefined;
      const entry = await entries.append(head, { ...fields, recordTime: new Date() });
      await project(sql, projectEvent(event));
      return entry;
    },

    list: (filter, afterSequence, limit) =>
      createEntryRepository(emSql(db.em()), schema).list(filter, afterSequence, limit),

    verify: () =>
      snapshot(async (em) => {
        const entries = createEntryRepository(emSql(em), schema);
        const verifier = createChainVerifier();
        let after = 0;
        for (;;) {
          const batch = await entries.range(after, VERIFY_BATCH);
          if (batch.length === 0 || verifier.check(batch)) break;
          after = batch[batch.length - 1]!.sequence;
        }
        return verifier.finish(await entries.head());
      }),

    dashboard: (query) => snapshot((em) => createDashboardRepository(emSql(em), schema).read(query)),
  };
}
