/**
 * Cache admission on the second request: most one-off keys (a search typed once) are never asked
 * again, so caching them costs a write and pushes hot entries out for nothing. A bounded record
 * of the keys asked recently tells a repeat from a first time.
 */
export interface RecentKeys {
  /** Records that `key` was asked for; true when it was asked before and not forgotten since. */
  askedBefore(key: string): boolean;
}

/**
 * Remembers the last `capacity` keys asked for, forgetting the least recently asked first.
 * A capacity of 0 remembers nothing and admits everything (askedBefore is always true).
 */
export function createRecentKeys(capacity: number): RecentKeys {
  if (!Number.isInteger(capacity) || capacity < 0)
    throw new Error("capacity: must be a whole number of at least 0");
  const asked = new Set<string>();
  return {
    askedBefore(key) {
      if (capacity === 0) return true;
      // Deleted and added again: a Set keeps insertion order, so the first entry is the least
      // recently asked, the one to forget when full.
      const before = asked.delete(key);
      if (!before && asked.size >= capacity) asked.delete(asked.values().next().value as string);
      asked.add(key);
      return before;
    },
  };
}
