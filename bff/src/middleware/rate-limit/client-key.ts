import { isIPv6 } from "node:net";
import type { Context } from "hono";

/**
 * The rate-limit identity of an address. IPv6 clients are counted per /64: one subscriber
 * usually owns a whole /64, so counting single addresses would let them rotate past any limit.
 */
export function addressKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = ip.includes("::")
    ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/** Keys by client address: for routes used before sign-in (login, register, refresh). */
export function byClientIp(c: Context): string {
  return `ip:${addressKey(c.get("clientIp") ?? "unknown")}`;
}

/** Keys by signed-in user when there is one (many users may share one NAT address), else by address. */
export function byUserOrIp(c: Context): string {
  const principal = c.get("principal");
  if (principal?.kind === "user") return `user:${principal.userId}`;
  return byClientIp(c);
}
