import type { RpcServer } from "../rpc/server.ts";
import type { Lifecycle } from "./lifecycle.ts";

/**
 * Background work a service runs while it serves: an outbox relay, a sweeper, event consumers, a
 * dispatcher. Either part may be missing (a saga engine only needs stopping).
 */
export interface BackgroundWorker {
  /** Awaited when it returns a promise; a loop that runs on its own returns nothing. */
  start?(): unknown;
  stop?(): unknown;
}

export interface ServiceRuntimeOptions {
  server: Pick<RpcServer, "listen" | "shutdown">;
  /** What the service opened while it was built; undone by `close` after the server has drained. */
  lifecycle: Lifecycle;
  /**
   * Started by `listen` in this order, each stop registered right after its start succeeded, so
   * `close` stops them in the reverse order, before anything the service opened while it was built.
   */
  workers?: readonly BackgroundWorker[];
}

/** The `listen` and `close` of a built service. */
export interface ServiceRuntime {
  /** Starts the workers and serves gRPC; resolves with the bound port (0 picks one). */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Health NOT_SERVING and drains in-flight calls (up to `graceMs`), then stops the workers and
   * closes what the lifecycle holds (peer clients, NATS, the database), last opened first. Calling
   * it again returns the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The start and shutdown order every service shares.
 *
 *   return {
 *     server, relay, sweeper, store, db, metrics, logger,
 *     ...createServiceRuntime({ server, lifecycle, workers: [relay, sweeper] }),
 *   };
 */
export function createServiceRuntime(options: ServiceRuntimeOptions): ServiceRuntime {
  const { server, lifecycle, workers = [] } = options;
  let closing: Promise<void> | undefined;
  return {
    async listen(port, host = "0.0.0.0") {
      for (const worker of workers) {
        await worker.start?.();
        if (worker.stop) lifecycle.defer(() => worker.stop?.());
      }
      return server.listen(port, host);
    },
    close(graceMs = 10_000) {
      closing ??= (async () => {
        await server.shutdown(graceMs);
        await lifecycle.undo();
      })();
      return closing;
    },
  };
}
