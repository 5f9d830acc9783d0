import type { CallContext } from "@shopmesh/kit/rpc";
import type { Context } from "hono";

/**
 * The metadata to send on a service call made for this request: request id, the BFF's span as
 * traceparent, the caller's (already verified) Authorization header, client address and agent.
 *
 *   const { user } = await deps.identity.getProfile({}, { call: callContext(c) });
 */
export function callContext(c: Context): CallContext {
  const call: CallContext = { requestId: c.get("requestId") };
  const traceparent = c.get("trace")?.traceparent;
  if (traceparent) call.traceparent = traceparent;
  const authorization = c.req.header("authorization");
  if (authorization && c.get("principal")) call.authorization = authorization;
  const clientIp = c.get("clientIp");
  if (clientIp && clientIp !== "unknown") call.clientIp = clientIp;
  const userAgent = c.req.header("user-agent");
  if (userAgent) call.userAgent = userAgent;
  return call;
}
