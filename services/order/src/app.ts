import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { OrderService } from "@shopmesh/contracts/shopmesh/order/v1/order_pb";
import { createDb, type Db } from "@shopmesh/kit/db";
import {
  connectNats,
  createOutboxRelay,
  type EventConsumer,
  type OutboxRelay,
  outboxEntities,
} from "@shopmesh/kit/events";
import { createLogger, type Logger } from "@shopmesh/kit/log";
import { Counter, createMetrics, Histogram, type Metrics } from "@shopmesh/kit/metrics";
import { createRpcServer, type RpcServer, rpcTlsFromFiles } from "@shopmesh/kit/rpc";
import { createLifecycle, createServiceAuth, createServiceRuntime } from "@shopmesh/kit/service";
import type { JWK } from "jose";
import type { OrderConfig } from "./config.ts";
import { createOrderConsumers } from "./consumers.ts";
import type { OrderChange } from "./domain/order.ts";
import type { Saga, SagaStep } from "./domain/saga.ts";
import { createEventRows, createEventWriter, EVENTS_CONTEXT } from "./events.ts";
import { createRefunds } from "./refunds.ts";
import { createOrderHandlers, ORDER_ACCESS_RULES } from "./rpc/index.ts";
import { createSagaEngine, type SagaEngine } from "./saga/engine.ts";
import { createPeers, type Peers } from "./saga/peers.ts";
import { createRecoveryLoop, type RecoveryLoop } from "./saga/recovery.ts";
import { createStepRunner } from "./saga/steps.ts";
import { createOrderStore, MIGRATIONS, ORDER_ENTITIES, type OrderStore } from "./store/index.ts";

/** A built order service: everything wired, not yet listening. */
export interface OrderApp {
  server: RpcServer;
  relay: OutboxRelay;
  consumers: EventConsumer[];
  engine: SagaEngine;
  recovery: RecoveryLoop;
  peers: Peers;
  store: OrderStore;
  db: Db;
  metrics: Metrics;
  logger: Logger;
  /** This process's saga lease owner. */
  owner: string;
  /** Starts the relay, the consumers and the recovery loop and serves gRPC; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Health NOT_SERVING, drains calls, stops sagas (their leases go back), consumers, relay, NATS, database. */
  close(graceMs?: number): Promise<void>;
}

export interface OrderAppOptions {
  /** Defaults to a JSON logger at LOG_LEVEL. */
  logger?: Logger;
  /** The public keys that verify access tokens; defaults to identity's JWKS at IDENTITY_ADDRESS. */
  jwks?: () => Promise<JWK[]>;
}

const BACKLOG_SAMPLE_MS = 15_000;

/**
 * Builds the order service from its configuration: migrates its schema, connects to NATS, creates
 * the clients of cart, inventory, payment and shipping, the saga engine with its recovery loop,
 * the event consumers, and the handlers with their access rules on a gRPC server (which also
 * serves grpc.health.v1).
 *
 *   const order = await createOrder(loadOrderConfig());
 *   const port = await order.listen(0, "127.0.0.1");
 *   ...
 *   await order.close();
 */
export async function createOrder(config: OrderConfig, options: OrderAppOptions = {}): Promise<OrderApp> {
  const logger = options.logger ?? createLogger({ service: "order", level: config.LOG_LEVEL });
  const lifecycle = createLifecycle();
  return lifecycle.build(async () => {
    const db = await createDb({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      entities: [...ORDER_ENTITIES, ...outboxEntities],
      migrations: MIGRATIONS,
      logger,
    });
    lifecycle.defer(() => db.close());
    const nats = await connectNats({ url: config.NATS_URL, name: "order" });
    lifecycle.defer(() => nats.close());

    const metrics = createMetrics({ service: "order" });
    const outcomes = new Counter({
      name: "order_sagas_total",
      help: "Finished sagas by kind, result (confirmed, failed, cancelled, rejected) and failure code",
      labelNames: ["kind", "result", "failure_code"],
      registers: [metrics.registry],
    });
    const refused = new Counter({
      name: "order_saga_compensations_refused_total",
      help:
        "Compensation steps refused for good (not an outage), by step and service; the saga keeps " +
        "retrying them, so any increase needs someone to look",
      labelNames: ["step", "service", "code"],
      registers: [metrics.registry],
    });
    const duration = new Histogram({
      name: "order_saga_duration_seconds",
      help: "Time from placing an order to the end of its checkout saga, by result",
      labelNames: ["result"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers: [metrics.registry],
    });

    const store = createOrderStore({
      db,
      recordEvents: createEventWriter({ prefix: config.EVENTS_PREFIX }),
      outboxRows: createEventRows({ prefix: config.EVENTS_PREFIX }),
    });
    // Plaintext unless TLS_* files are set: inside the mesh Istio adds mutual TLS.
    const tls = rpcTlsFromFiles(config);
    const peers = createPeers({
      tls: tls.client,
      addresses: {
        cart: config.CART_ADDRESS,
        inventory: config.INVENTORY_ADDRESS,
        payment: config.PAYMENT_ADDRESS,
        shipping: config.SHIPPING_ADDRESS,
      },
      timeoutMs: config.PEER_TIMEOUT_MS,
      serviceSecret: config.SERVICE_TOKEN_SECRET,
      logger,
      metrics,
    });
    lifecycle.defer(async () => peers.close());
    if (!config.SERVICE_TOKEN_SECRET) {
      logger.warn(
        "SERVICE_TOKEN_SECRET is not set: inventory, payment and shipping will refuse the saga's calls",
      );
    }

    // Unique per process: a restarted process must not inherit the leases of the one that died.
    const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const engine = createSagaEngine({
      store,
      steps: createStepRunner({
        peers,
        reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
        paymentConfirmationTimeoutMs: config.PAYMENT_CONFIRMATION_TIMEOUT_MS,
        paymentPollMs: config.PAYMENT_POLL_MS,
        timeoutMs: config.PEER_TIMEOUT_MS,
      }),
      logger,
      owner,
      leaseMs: config.SAGA_LEASE_MS,
      policy: {
        maxAttempts: config.SAGA_STEP_MAX_ATTEMPTS,
        budgetMs: config.SAGA_STEP_BUDGET_MS,
        baseDelayMs: config.SAGA_RETRY_BASE_MS,
        maxDelayMs: config.SAGA_RETRY_MAX_MS,
        compensationMaxDelayMs: config.SAGA_COMPENSATION_RETRY_MAX_MS,
      },
      // Sleeping through a retry keeps the lease; it must end well before the lease does.
      inProcessDelayMs: Math.floor((config.SAGA_LEASE_MS - config.PEER_TIMEOUT_MS) / 2),
      ...(config.ORDER_SAGA_PAUSE_AT ? { pauseAt: config.ORDER_SAGA_PAUSE_AT as SagaStep } : {}),
      onDone: (saga: Saga, change: OrderChange | undefined) => {
        const result = sagaResult(saga, change);
        outcomes.inc({ kind: saga.kind, result, failure_code: saga.failureCode });
        if (saga.kind === "checkout" && change) {
          duration.observe({ result }, (Date.now() - change.order.createTime.getTime()) / 1000);
        }
      },
      onCompensationRefused: (saga, failure) =>
        refused.inc({ step: saga.step, service: failure.service, code: failure.code }),
    });
    const refunds = createRefunds({ store, peers, timeoutMs: config.PEER_TIMEOUT_MS, logger });
    const recovery = createRecoveryLoop({
      store,
      engine,
      refunds,
      owner,
      leaseMs: config.SAGA_LEASE_MS,
      intervalMs: config.RECOVERY_INTERVAL_MS,
      logger,
    });

    const { verifier } = createServiceAuth({ config, logger, lifecycle, keys: options.jwks, tls });
    const server = createRpcServer({ service: "order", logger, verifier, metrics, tls: tls.server });
    server.add(
      OrderService,
      createOrderHandlers({
        store,
        engine,
        peers,
        refunds,
        waitMs: config.PLACE_ORDER_WAIT_MS,
        timeoutMs: config.PEER_TIMEOUT_MS,
        metrics,
      }),
      ORDER_ACCESS_RULES,
    );

    const relay = createOutboxRelay({
      db,
      nats,
      context: EVENTS_CONTEXT,
      prefix: config.EVENTS_PREFIX,
      logger,
      metrics,
      backlogSampleMs: BACKLOG_SAMPLE_MS,
    });
    const consumers = createOrderConsumers({
      nats,
      db,
      store,
      engine,
      prefix: config.EVENTS_PREFIX,
      schema: config.DB_SCHEMA,
      logger,
      metrics,
    });

    return {
      server,
      relay,
      consumers,
      engine,
      recovery,
      peers,
      store,
      db,
      metrics,
      logger,
      owner,
      ...createServiceRuntime({
        server,
        lifecycle,
        // The engine stops first: its sagas give their leases back before anything they use closes.
        workers: [relay, ...consumers, recovery, { stop: () => engine.stop() }],
      }),
    };
  });
}

/** How a finished saga ended, for the outcome counter. */
function sagaResult(saga: Saga, change: OrderChange | undefined): string {
  if (saga.kind === "cancel") return change?.order.status === "cancelled" ? "cancelled" : "rejected";
  return change?.order.status === "confirmed" ? "confirmed" : "failed";
}
