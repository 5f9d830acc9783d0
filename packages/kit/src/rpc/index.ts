export type { ChannelTls } from "./channel.ts";
export { createRpcClient, type RpcClientOptions } from "./client.ts";
export {
  type CallContext,
  type CallOptions,
  forwardContext,
  METADATA,
  type RpcContext,
  requireUser,
} from "./context.ts";
export { methodPath } from "./definition.ts";
export {
  Code,
  errorReason,
  type FieldViolation,
  fieldViolations,
  invalidArgument,
  RpcError,
  rpcError,
} from "./errors.ts";
export type { Health, HealthStatus } from "./health.ts";
export { createHealthClient, type HealthClient } from "./health-client.ts";
export { createRpcServer, type RpcServer, type RpcServerOptions, type RpcServerTls } from "./server.ts";
export { type RpcTls, rpcTlsFromFiles } from "./tls-files.ts";
export type { AccessRule, AccessRules, RpcClient, ServiceHandlers } from "./types.ts";
