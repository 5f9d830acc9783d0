import type {
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  MessageInitShape,
  MessageShape,
} from "@bufbuild/protobuf";
import type { Permission } from "../auth/permissions.ts";
import type { CallOptions, RpcContext } from "./context.ts";

/**
 * The handler of one RPC: unary methods return a message, server-streaming ones yield messages,
 * client-streaming ones iterate the requests as they arrive (the iteration ends with the client's
 * stream, and throws when the call is cancelled) and return one message.
 */
export type HandlerOf<M> =
  M extends DescMethodUnary<infer I, infer O>
    ? (request: MessageShape<I>, ctx: RpcContext) => Promise<MessageInitShape<O>>
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? (request: MessageShape<I>, ctx: RpcContext) => AsyncIterable<MessageInitShape<O>>
      : M extends DescMethodClientStreaming<infer I, infer O>
        ? (requests: AsyncIterable<MessageShape<I>>, ctx: RpcContext) => Promise<MessageInitShape<O>>
        : never;

/** Handlers for every RPC of a service, keyed by the methods' local names (`login`, `getUser`). */
export type ServiceHandlers<S extends DescService> = {
  [K in keyof S["method"]]: HandlerOf<S["method"][K]>;
};

/**
 * Who may call an RPC:
 * - "public": anyone, token or not (a token, when present, is still verified);
 * - "authenticated": any signed-in user or service;
 * - "service": only another shopmesh service;
 * - { permission }: a user holding the permission, or a service.
 * Ownership (a customer sees only their own data) is the handler's job.
 */
export type AccessRule = "public" | "authenticated" | "service" | { permission: Permission };

/** An access rule for every RPC of a service: adding an RPC without a rule does not type-check. */
export type AccessRules<S extends DescService> = { [K in keyof S["method"]]: AccessRule };

/**
 * A client method: unary ones resolve with the response, server-streaming ones iterate,
 * client-streaming ones send every request of the iterable and resolve with the one response.
 */
export type ClientMethodOf<M> =
  M extends DescMethodUnary<infer I, infer O>
    ? (request: MessageInitShape<I>, options?: CallOptions) => Promise<MessageShape<O>>
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? (request: MessageInitShape<I>, options?: CallOptions) => AsyncIterable<MessageShape<O>>
      : M extends DescMethodClientStreaming<infer I, infer O>
        ? (
            requests: AsyncIterable<MessageInitShape<I>> | Iterable<MessageInitShape<I>>,
            options?: CallOptions,
          ) => Promise<MessageShape<O>>
        : never;

/** A typed client for a service, plus close(). */
export type RpcClient<S extends DescService> = {
  [K in keyof S["method"]]: ClientMethodOf<S["method"][K]>;
} & { close(): void };
