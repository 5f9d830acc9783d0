import { setTimeout as sleep } from "node:timers/promises";
import { staleVersion } from "@shopmesh/kit/errors";
import type { Redis } from "@shopmesh/kit/redis";
import type { Cart } from "../domain/cart.ts";
import { decodeCart, encodeCart } from "./codec.ts";
import { redisCall } from "./errors.ts";

/** Which cart: a signed-in user's, or a guest's by the hash of its token. */
export type CartKey = { kind: "user"; userId: string } | { kind: "guest"; tokenHash: string };

/** A cart as read or written, with its version and when Redis deletes it unless touched again. */
export interface StoredCart {
  cart: Cart;
  version: number;
  expireTime: Date;
}

/** What `updateOnce` did. */
export interface OnceResult {
  /** False when the operation was done before (its marker exists): nothing was written. */
  applied: boolean;
  /** The cart after the operation; undefined when there is no cart (or `applied` is false). */
  cart: StoredCart | undefined;
}

/** What `update` wrote (or left alone). */
export interface UpdatedCart extends StoredCart {
  /** This write made the cart: no cart was under its key before. */
  created: boolean;
}

export interface CartTtl {
  /** Idle lifetime of a guest cart. */
  guestSeconds: number;
  /** Idle lifetime of a user cart. */
  userSeconds: number;
}

/**
 * What a change function returns: the next cart, or the same object to leave the cart alone.
 * It may throw (a DomainError) to refuse the change; nothing is written then.
 */
export type CartChange = (current: Cart | undefined) => Cart;

export interface CartStore {
  /** The cart under `key`, undefined when there is none; reading counts as use and moves its expiry. */
  read(key: CartKey): Promise<StoredCart | undefined>;
  /**
   * Read-modify-write without lost updates: reads the cart, applies `change`, and writes the
   * result only when nobody wrote the cart in between (a version check in one Lua script);
   * otherwise reads again and retries with jittered backoff. A write sets the cart's idle TTL.
   * `created` tells the caller that this write brought the cart into existence.
   */
  update(key: CartKey, change: CartChange): Promise<UpdatedCart>;
  /**
   * Writes `combine(user, guest)` as the user's cart and deletes the guest cart in one atomic
   * step, retried like update. When the guest cart does not exist (already merged, expired or
   * never there) nothing changes: `merged` is false and `user` the user's cart as it is.
   */
  merge(
    user: CartKey,
    guest: CartKey,
    combine: (user: Cart | undefined, guest: Cart) => Cart,
  ): Promise<{ merged: boolean; user: StoredCart | undefined }>;
  /**
   * Applies `change` to the cart at most once per `operation` (e.g. "order-confirmed:<order id>"):
   * the change and a marker of the operation are written in one Lua script, which does nothing
   * when the marker exists already, so a repeated operation (a redelivered event, two replicas)
   * has no second effect. The marker is written even when there is no cart or nothing changes,
   * and expires after `markerSeconds`. Retried on concurrent writes like update.
   */
  updateOnce(
    key: CartKey,
    operation: string,
    change: (current: Cart) => Cart,
    markerSeconds: number,
  ): Promise<OnceResult>;
}

export interface CartStoreOptions {
  /** A client whose keyPrefix isolates the carts (CART_PREFIX). */
  redis: Redis;
  ttl: CartTtl;
  /** Attempts before a write gives up with ABORTED. Default 50. */
  maxAttempts?: number;
}

/**
 * Compares the version of each key with the expected one (0: the key must not exist) and, only
 * when all match, writes the new values with their TTLs ("" deletes the key). Returns 1 on
 * success, 0 when another write came first.
 *
 * KEYS: the carts; ARGV: per key, expected version, new value, TTL in seconds.
 */
const COMMIT_SCRIPT = `
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  local version = 0
  if current then version = cjson.decode(current).v end
  if version ~= tonumber(ARGV[i * 3 - 2]) then return 0 end
end
for i, key in ipairs(KEYS) do
  local value = ARGV[i * 3 - 1]
  if value == '' then
    redis.call('DEL', key)
  else
    redis.call('SET', key, value, 'EX', ARGV[i * 3])
  end
end
return 1
`;

/**
 * updateOnce's write: nothing when the operation's marker exists (returns 2); otherwise, only when
 * the cart's version is the expected one (0: no cart), writes the cart (unless the new value is
 * "", the cart as it is) and the marker with their TTLs (returns 1). Returns 0 when another write
 * came first.
 *
 * KEYS: the cart, the marker; ARGV: expected version, new value, cart TTL, marker TTL in seconds.
 */
const ONCE_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
local current = redis.call('GET', KEYS[1])
local version = 0
if current then version = cjson.decode(current).v end
if version ~= tonumber(ARGV[1]) then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[4])
return 1
`;

interface Write {
  key: CartKey;
  expected: number;
  /** undefined deletes the cart. */
  cart: Cart | undefined;
}

/** Creates the Redis store of carts: one JSON value per cart, with an idle TTL per kind of cart. */
export function createCartStore(options: CartStoreOptions): CartStore {
  const { ttl } = options;
  const redis = withCommitCommand(options.redis);
  const maxAttempts = options.maxAttempts ?? 50;
  const ttlOf = (key: CartKey) => (key.kind === "user" ? ttl.userSeconds : ttl.guestSeconds);
  const expiry = (key: CartKey) => new Date(Date.now() + ttlOf(key) * 1000);

  async function read(key: CartKey): Promise<StoredCart | undefined> {
    const text = await redisCall(() => redis.getex(redisKey(key), "EX", ttlOf(key)));
    return text === null ? undefined : { ...decodeCart(text), expireTime: expiry(key) };
  }

  async function commit(writes: Write[]): Promise<boolean> {
    const args: (string | number)[] = [];
    for (const write of writes) {
      args.push(
        write.expected,
        write.cart ? encodeCart(write.cart, write.expected + 1) : "",
        ttlOf(write.key),
      );
    }
    const keys = writes.map((write) => redisKey(write.key));
    const result = await redisCall(() => redis.cartCommit(keys.length, ...keys, ...args));
    return result === 1;
  }

  /** Waits a little longer after each lost race, at random, so racing writers spread out. */
  async function backoff(attempt: number): Promise<void> {
    await sleep(Math.random() * Math.min(2 ** attempt, 50));
  }

  return {
    read,

    async update(key, change) {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const current = await read(key);
        const next = change(current?.cart);
        if (current && next === current.cart) return { ...current, created: false };
        const expected = current?.version ?? 0;
        if (await commit([{ key, expected, cart: next }])) {
          // Version 0 is "no key": the check in the script makes exactly one writer the creator.
          return { cart: next, version: expected + 1, expireTime: expiry(key), created: expected === 0 };
        }
        await backoff(attempt);
      }
      throw staleVersion("the cart kept changing concurrently; try again");
    },

    async merge(userKey, guestKey, combine) {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const [user, guest] = await Promise.all([read(userKey), read(guestKey)]);
        if (!guest) return { merged: false, user };
        const next = combine(user?.cart, guest.cart);
        const expected = user?.version ?? 0;
        const written = await commit([
          { key: userKey, expected, cart: next },
          { key: guestKey, expected: guest.version, cart: undefined },
        ]);
        if (written) {
          return { merged: true, user: { cart: next, version: expected + 1, expireTime: expiry(userKey) } };
        }
        await backoff(attempt);
      }
      throw staleVersion("the carts kept changing concurrently; try again");
    },

    async updateOnce(key, operation, change, markerSeconds) {
      const keys = [redisKey(key), markerKey(operation)];
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const current = await read(key);
        const next = current ? change(current.cart) : undefined;
        const expected = current?.version ?? 0;
        const value = current && next && next !== current.cart ? encodeCart(next, expected + 1) : "";
        const result = await redisCall(() =>
          redis.cartOnce(2, ...keys, expected, value, ttlOf(key), markerSeconds),
        );
        if (result === 2) return { applied: false, cart: undefined };
        if (result === 1) {
          if (!current || !next) return { applied: true, cart: undefined };
          if (value === "") return { applied: true, cart: current };
          return { applied: true, cart: { cart: next, version: expected + 1, expireTime: expiry(key) } };
        }
        await backoff(attempt);
      }
      throw staleVersion("the cart kept changing concurrently; try again");
    },
  };
}

type CommitRedis = Redis & {
  cartCommit(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
  cartOnce(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
};

/** Registers the write scripts on the client (sent once, then called by their SHA1 with EVALSHA). */
function withCommitCommand(redis: Redis): CommitRedis {
  if (!("cartCommit" in redis)) redis.defineCommand("cartCommit", { lua: COMMIT_SCRIPT });
  if (!("cartOnce" in redis)) redis.defineCommand("cartOnce", { lua: ONCE_SCRIPT });
  return redis as CommitRedis;
}

/** The Redis key of a cart, under the client's key prefix. */
export function redisKey(key: CartKey): string {
  return key.kind === "user" ? `user:${key.userId}` : `guest:${key.tokenHash}`;
}

/** The Redis key of updateOnce's marker of an operation, under the client's key prefix. */
export function markerKey(operation: string): string {
  return `done:${operation}`;
}
