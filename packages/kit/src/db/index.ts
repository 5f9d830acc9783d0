// What services need to define entities and work with them, so they import the ORM from one place.
export type {
  EntitySchema,
  FilterQuery,
  InferEntity,
  Ref,
  RequiredEntityData,
} from "@mikro-orm/core";
export { defineEntity, IsolationLevel, LockMode, OptimisticLockError, p, ref, wrap } from "@mikro-orm/core";
export type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
export { raw } from "@mikro-orm/postgresql";
export { watchCommittedInserts } from "./committed-inserts.ts";
export type { Db, DbOptions, EntityDefinition, Row } from "./create-db.ts";
export { createDb, reportInsertOnCommit } from "./create-db.ts";
export type { DbErrorCode } from "./errors.ts";
export {
  dbErrorToCode,
  isOptimisticLockError,
  isRetryableTxError,
  isUnavailableError,
  isUniqueViolation,
} from "./errors.ts";
export type { Listener, ListenOptions } from "./listen.ts";
export type { Migration } from "./migrate.ts";
export type { PgPool, PgPoolClient, PgQueryable, PgQueryResult } from "./pg.ts";
export { quoteIdent } from "./pg.ts";
export {
  createSql,
  type Parameters,
  parameters,
  type Sql,
  type SqlResult,
  sqlTransaction,
  unnestRows,
} from "./sql.ts";
export { type LockOption, toBigInt, toDate } from "./values.ts";
