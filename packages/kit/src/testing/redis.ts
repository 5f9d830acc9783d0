import { createRedis, type Redis } from "../redis/index.ts";
import { TEST_PREFIX_PATTERN } from "./random.ts";

/** The URL of TEST_REDIS_URL (default redis://127.0.0.1:6379). */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
}

/** True when `key` is under a test prefix: its first ':'-separated segment is a `testPrefix()`. */
export function isTestRedisKey(key: string): boolean {
  return TEST_PREFIX_PATTERN.test(key.split(":", 1)[0]!);
}

/** `text` with the glob characters of SCAN MATCH escaped. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/**
 * Deletes every Redis key that starts with `prefix` (SCAN + UNLINK, never KEYS) and returns how
 * many it deleted. `prefix` must begin with a test prefix (`"t3f9a1cx:"`, `"t3f9a1cx:cart:"`),
 * so that a slip can never empty a real keyspace. Pass a client WITHOUT keyPrefix (the cart's and
 * catalog's own clients prefix every key they send, SCAN patterns excepted); without one, a
 * client of TEST_REDIS_URL is used and closed.
 *
 *   afterAll(() => deleteRedisPrefix(`${prefix}:`));
 */
export async function deleteRedisPrefix(prefix: string, redis?: Redis): Promise<number> {
  if (!isTestRedisKey(prefix) || !prefix.includes(":")) {
    throw new Error(`prefix: ${prefix} does not start with a test prefix and ':'`);
  }
  if (redis?.options.keyPrefix) {
    throw new Error(`redis: the client has keyPrefix ${redis.options.keyPrefix}; pass one without`);
  }
  const client = redis ?? createRedis({ url: testRedisUrl(), failFast: false });
  try {
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${escapeGlob(prefix)}*`, "COUNT", 1000);
      if (keys.length > 0) deleted += await client.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
    return deleted;
  } finally {
    if (!redis) client.disconnect();
  }
}
