import type { Metrics } from "@shopmesh/kit/metrics";
import type { Refunds } from "../refunds.ts";
import type { SagaEngine } from "../saga/engine.ts";
import type { Peers } from "../saga/peers.ts";
import type { OrderStore } from "../store/index.ts";

/** What the handlers work with. */
export interface OrderDeps {
  store: OrderStore;
  engine: SagaEngine;
  peers: Peers;
  refunds: Refunds;
  /** How long PlaceOrder and CancelOrder wait for their saga (PLACE_ORDER_WAIT_MS). */
  waitMs: number;
  /** The deadline of calls to other services. */
  timeoutMs: number;
  metrics?: Metrics;
}
