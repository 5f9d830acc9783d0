import {
  ChangeSetType,
  type EntityClass,
  type EntitySchema,
  type EventSubscriber,
  type IsolationLevel,
} from "@mikro-orm/core";
import { type EntityManager, MikroORM } from "@mikro-orm/postgresql";
import type { Logger } from "../log/index.ts";
import { createDatabaseIfMissing, isMissingDatabase, parseDatabaseUrl } from "./admin.ts";
import { reportCommittedInserts } from "./committed-inserts.ts";
import { type Listener, type ListenOptions, listen } from "./listen.ts";
import { type Migration, runMigrations, validateMigrations } from "./migrate.ts";
import type { PgPool } from "./pg.ts";

// biome-ignore lint/suspicious/noExplicitAny: entity schemas of any shape are accepted
export type EntityDefinition = EntitySchema<any, any> | EntityClass<any>;

export interface DbOptions {
  /** postgres://user@host:port/database — the database is created when missing. */
  url: string;
  /** The service's own schema: created, migrated, the ORM's default and first on `search_path`. */
  schema: string;
  /** Entities from `defineEntity(...)`; add `outboxEntities` from `@shopmesh/kit/events` when publishing. */
  entities: readonly EntityDefinition[];
  /** Applied in order under an advisory lock before `createDb` returns. */
  migrations: readonly Migration[];
  logger?: Logger;
  /** Pool size; default 10. */
  poolMax?: number;
  /** Logs every SQL statement at debug level. */
  debug?: boolean;
  /**
   * Prepared statements (`createSql`) run on a generic plan from their first call: PostgreSQL
   * plans each statement once per session instead of on every call. For services whose hot
   * statements take longer to plan than to run and do not need a plan per value (catalog search:
   * planning its CTEs cost more than executing them). Statements with inlined values (the ORM's)
   * are planned per call either way.
   */
  genericPlans?: boolean;
}

export type Row = Record<string, unknown>;

export interface Db {
  readonly orm: MikroORM;
  /** The schema given to `createDb`; raw SQL in shared code qualifies tables with it. */
  readonly schema: string;
  /** A fresh EntityManager (a fork with its own identity map); one per request or job. */
  em(): EntityManager;
  /**
   * Runs `fn` in a transaction on a fresh EntityManager and flushes it before COMMIT; any throw
   * rolls everything back (entity changes, `em.execute` statements and recorded events alike).
   */
  transaction<T>(
    fn: (em: EntityManager) => Promise<T>,
    options?: { isolationLevel?: IsolationLevel },
  ): Promise<T>;
  /** Raw SQL outside any transaction; `?` placeholders. Returns the rows. */
  execute<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** The `pg` pool under the ORM, for infrastructure code that needs a session of its own. */
  pool(): Promise<PgPool>;
  /** LISTENs on a channel on a dedicated session; closed by `close()` at the latest. */
  listen(channel: string, options: ListenOptions): Promise<Listener>;
  /** True when a `select 1` answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function validate(options: DbOptions): { name: string; adminUrl: string } {
  if (typeof options?.url !== "string") throw new Error("url: must be a postgres:// URL string");
  const parsed = parseDatabaseUrl(options.url, "url");
  if (typeof options.schema !== "string" || !SCHEMA_NAME.test(options.schema)) {
    throw new Error("schema: must be lower case letters, digits and _, starting with a letter or _");
  }
  if (!Array.isArray(options.entities)) throw new Error("entities: must be an array of entity definitions");
  validateMigrations(options.migrations, "migrations");
  if (options.genericPlans !== undefined && typeof options.genericPlans !== "boolean") {
    throw new Error("genericPlans: must be a boolean");
  }
  if (options.poolMax !== undefined && (!Number.isInteger(options.poolMax) || options.poolMax < 1)) {
    throw new Error("poolMax: must be a whole number of at least 1");
  }
  return parsed;
}

/**
 * Connects a service to PostgreSQL: creates its database when missing (tolerating a concurrent
 * creator), creates its schema, applies its migrations under an advisory lock (several replicas
 * may start together), and gives back a MikroORM whose default schema is the service's own.
 *
 *   const db = await createDb({ url: config.DATABASE_URL, schema: "identity",
 *     entities: [User, ...outboxEntities], migrations: [...EVENTS_MIGRATIONS, ...migrations], logger });
 *   await db.transaction(async (em) => { em.create(User, {...}); recordEvent(em, {...}); });
 */
export async function createDb(options: DbOptions): Promise<Db> {
  const { name, adminUrl } = validate(options);
  const { schema, logger } = options;
  const orm = await MikroORM.init({
    clientUrl: options.url,
    schema,
    entities: [...options.entities],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    pool: { min: 0, max: options.poolMax ?? 10 },
    // Unqualified names in raw SQL resolve to the service's schema, as they do in its migrations.
    driverOptions: {
      options: `-c search_path=${schema},public${options.genericPlans ? " -c plan_cache_mode=force_generic_plan" : ""}`,
    },
    colors: false,
    debug: options.debug ?? false,
    logger: (message) => logger?.debug({ orm: true }, message),
  });
  orm.em.getEventManager().registerSubscriber(committedInsertsOfOrm());
  const listeners = new Set<Listener>();
  try {
    const connection = orm.em.getConnection();
    try {
      await connection.execute("select 1");
    } catch (err) {
      if (!isMissingDatabase(err)) throw err;
      if (await createDatabaseIfMissing(adminUrl, name)) logger?.info({ database: name }, "created database");
      await connection.execute("select 1");
    }
    const pool = (await connection.getNativeClient()) as unknown as PgPool;
    await runMigrations(pool, schema, options.migrations, logger);

    return {
      orm,
      schema,
      em: () => orm.em.fork(),
      transaction: (fn, txOptions) => orm.em.fork().transactional((em) => fn(em), txOptions),
      execute: <R extends Row>(sql: string, params?: readonly unknown[]) =>
        connection.execute<R[]>(sql, params ? [...params] : []),
      pool: async () => pool,
      async listen(channel, listenOptions) {
        const listener = await listen(pool, channel, listenOptions);
        listeners.add(listener);
        return {
          close: async () => {
            listeners.delete(listener);
            await listener.close();
          },
        };
      },
      async ping() {
        try {
          await connection.execute("select 1");
          return true;
        } catch {
          return false;
        }
      },
      async close() {
        await Promise.all([...listeners].map((listener) => listener.close()));
        listeners.clear();
        await orm.close();
      },
    };
  } catch (err) {
    await orm.close(true).catch(() => undefined);
    throw err;
  }
}

/** Tables an ORM transaction inserted into, by its EntityManager, reported once it commits. */
const pendingInserts = new WeakMap<object, Set<string>>();

function noteInserts(em: EntityManager, tables: Iterable<string>): void {
  if (!em.isInTransaction()) {
    reportCommittedInserts(tables);
    return;
  }
  const seen = pendingInserts.get(em);
  if (seen) for (const table of tables) seen.add(table);
  else pendingInserts.set(em, new Set(tables));
}

/**
 * Reports an insert into `table` that `em` made past the unit of work (`em.execute`) to
 * watchCommittedInserts: when its transaction commits, or at once outside a transaction.
 */
export function reportInsertOnCommit(em: EntityManager, table: string): void {
  noteInserts(em, [table]);
}

/**
 * Reports the tables the ORM's flushes inserted into (watchCommittedInserts) once they are
 * committed: at once for a flush in its own implicit transaction, after COMMIT for a flush inside
 * `transaction`. Rows written with `em.insert` or `em.execute` bypass the unit of work: report
 * those with reportInsertOnCommit.
 */
function committedInsertsOfOrm(): EventSubscriber {
  return {
    afterFlush({ em, uow }) {
      const tables = new Set<string>();
      for (const changeSet of uow.getChangeSets()) {
        if (changeSet.type === ChangeSetType.CREATE) tables.add(changeSet.meta.tableName);
      }
      if (tables.size > 0) noteInserts(em as EntityManager, tables);
    },
    afterTransactionCommit({ em, transaction }) {
      if (transaction?.savepointName) return;
      const tables = pendingInserts.get(em);
      if (!tables) return;
      pendingInserts.delete(em);
      reportCommittedInserts(tables);
    },
    afterTransactionRollback({ em, transaction }) {
      if (!transaction?.savepointName) pendingInserts.delete(em);
    },
  };
}
