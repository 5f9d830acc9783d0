import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    /** The end client's address ("unknown" when neither the socket nor a trusted proxy says). */
    clientIp: string;
  }
}

export interface ClientIpOptions {
  /**
   * How many proxies in front of the BFF append to X-Forwarded-For (ingress, mesh gateway).
   * 0 (the default) ignores the header: anyone can send one, so it is only believed when a proxy
   * we run wrote the entries we read.
   */
  trustProxy: number;
}

/**
 * Finds the client's address once per request, `c.get("clientIp")`, for rate-limit keys and the
 * x-client-ip metadata sent to services. With `trustProxy` = n, the client is the n-th
 * X-Forwarded-For entry from the right (each trusted proxy appended the address it saw).
 */
export function clientIp(options: ClientIpOptions): MiddlewareHandler {
  const hops = options.trustProxy;
  return async function clientIp(c, next) {
    c.set("clientIp", (hops > 0 ? forwardedFor(c, hops) : undefined) ?? socketAddress(c) ?? "unknown");
    await next();
  };
}

function forwardedFor(c: Context, hops: number): string | undefined {
  const header = c.req.header("x-forwarded-for");
  if (!header) return undefined;
  const entries = header
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const candidate = entries[Math.max(0, entries.length - hops)];
  return candidate ? normalize(candidate) : undefined;
}

function socketAddress(c: Context): string | undefined {
  try {
    const address = getConnInfo(c).remote.address;
    return address ? normalize(address) : undefined;
  } catch {
    // Not served by @hono/node-server (app.request in tests): there is no socket.
    return undefined;
  }
}

/** "::ffff:10.0.0.1" → "10.0.0.1"; anything that is not an IP address is dropped. */
function normalize(address: string): string | undefined {
  const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return isIP(plain) ? plain : undefined;
}
