/**
 * Tells code in this process that rows were committed into a table, without a round trip: the
 * kit's plain SQL (`createSql`, `sqlTransaction`) and the ORM's transactions report the tables
 * they inserted into once their transaction has committed. The outbox relay watches
 * `outbox_events` this way and publishes new events at once; a poll still finds rows that other
 * processes committed.
 *
 * (PostgreSQL's LISTEN/NOTIFY would reach other processes too, but every notifying transaction
 * takes one lock for the whole server from its commit until the commit is on disk: committing
 * writers queue behind each other's WAL flush.)
 */

type Listener = () => void;

const watchers = new Map<string, Set<Listener>>();

/** Calls `listener` after each commit that inserted into `table` (unqualified name); returns the unwatch. */
export function watchCommittedInserts(table: string, listener: Listener): () => void {
  let listeners = watchers.get(table);
  if (!listeners) {
    listeners = new Set();
    watchers.set(table, listeners);
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) watchers.delete(table);
  };
}

/** Reports that inserts into `tables` have committed. */
export function reportCommittedInserts(tables: Iterable<string>): void {
  if (watchers.size === 0) return;
  for (const table of new Set(tables)) {
    for (const listener of watchers.get(table) ?? []) listener();
  }
}

const INSERT_INTO = /\binsert\s+into\s+(?:"?[a-z_][a-z0-9_$]*"?\s*\.\s*)?"?([a-z_][a-z0-9_$]*)"?/gi;

/** The tables (unqualified, lower case) a statement's text inserts into. */
export function insertedTables(text: string): string[] {
  return [...new Set([...text.matchAll(INSERT_INTO)].map((match) => (match[1] ?? "").toLowerCase()))];
}
