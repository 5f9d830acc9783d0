import { setTimeout as sleep } from "node:timers/promises";
import type { Order } from "../domain/order.ts";
import type { Saga } from "../domain/saga.ts";
import type { OrderDeps } from "./deps.ts";

const POLL_MS = 50;

/**
 * Runs the order's saga and waits until `settled` says the caller can be answered, or until
 * `deadline`: the order and saga as they stand then. While another replica (or the recovery loop)
 * drives the saga, or it waits between retries, the stored state is polled.
 */
export async function settle(
  deps: Pick<OrderDeps, "engine" | "store">,
  orderId: string,
  deadline: number,
  settled: (order: Order, saga: Saga | undefined) => boolean,
  /** The order as just stored, when the caller has it; with its saga when it was stored leased to the engine. */
  known?: { order: Order; saga?: Saga },
): Promise<{ order: Order; saga: Saga | undefined }> {
  const run = deps.engine.run(orderId, known).catch(() => undefined);
  const outcome = await Promise.race([
    run,
    sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false }),
  ]);
  // The run stopped driving it and says how it left it: no need to read it back.
  if (outcome && settled(outcome.order, outcome.saga)) return outcome;
  for (;;) {
    const read = deps.store.read();
    const [order, saga] = await Promise.all([read.orders.byId(orderId), read.sagas.byOrderId(orderId)]);
    if (!order) throw new Error(`order ${orderId} vanished`);
    const left = deadline - Date.now();
    if (settled(order, saga) || left <= 0) return { order, saga };
    // Due again (a retry's backoff passed) and nobody here drives it: drive it now.
    if (saga && saga.status !== "done" && saga.nextAttemptTime.getTime() <= Date.now()) {
      void deps.engine.run(orderId).catch(() => undefined);
    }
    await sleep(Math.min(POLL_MS, left), undefined, { ref: false });
  }
}
