import type { Db, EntityManager } from "@shopmesh/kit/db";
import type { DomainEvent } from "@shopmesh/kit/domain-events";
import type { EventMeta } from "@shopmesh/kit/events";
import type { SecretBox } from "../crypto/secret-box.ts";
import type { RecordEvents } from "../events.ts";
import { type ActionTokenRepository, createActionTokenRepository } from "./action-tokens.ts";
import { type AddressRepository, createAddressRepository } from "./addresses.ts";
import { createSessionRepository, type SessionRepository } from "./sessions.ts";
import { createSigningKeyRepository, type SigningKeyRepository } from "./signing-keys.ts";
import { createUserRepository, type UserRepository } from "./users.ts";

export { IDENTITY_ENTITIES } from "./entities.ts";
export { IDENTITY_MIGRATIONS, MIGRATIONS } from "./migrations.ts";
export type { LockOption, UserListCursor, UserListFilter } from "./users.ts";

/** The repositories of identity, bound to one EntityManager. */
export interface Repositories {
  users: UserRepository;
  sessions: SessionRepository;
  actionTokens: ActionTokenRepository;
  addresses: AddressRepository;
  signingKeys: SigningKeyRepository;
}

/** The repositories inside a transaction, plus the outbox of that transaction. */
export interface Transaction extends Repositories {
  /** Adds events to the outbox: committed with the transaction's changes or not at all. */
  record(events: readonly DomainEvent[], meta: EventMeta): void;
}

export interface IdentityStore {
  /** Repositories for reads outside a transaction (a fresh EntityManager per call). */
  read(): Repositories;
  /**
   * Runs `fn` in one transaction: row locks (`{ lock: true }`) hold until it ends, and a throw
   * rolls back every write and recorded event.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
}

export interface IdentityStoreOptions {
  db: Db;
  /** Seals TOTP secrets and private signing keys. */
  box: SecretBox;
  recordEvents: RecordEvents;
}

export function createIdentityStore(options: IdentityStoreOptions): IdentityStore {
  const { db, box, recordEvents } = options;
  const repositories = (em: EntityManager): Repositories => ({
    users: createUserRepository(em, box),
    sessions: createSessionRepository(em),
    actionTokens: createActionTokenRepository(em),
    addresses: createAddressRepository(em),
    signingKeys: createSigningKeyRepository(em, box, db.schema),
  });
  return {
    read: () => repositories(db.em()),
    transaction: (fn) =>
      db.transaction((em) =>
        fn({ ...repositories(em), record: (events, meta) => recordEvents(em, events, meta) }),
      ),
  };
}
