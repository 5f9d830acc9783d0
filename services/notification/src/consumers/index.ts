import type { EventConsumer } from "@shopmesh/kit/events";
import type { ConsumerDeps } from "./common.ts";
import { createIdentityConsumer } from "./identity.ts";
import { createInventoryConsumer } from "./inventory.ts";
import { createOrderConsumer } from "./orders.ts";

export type { ConsumerDeps } from "./common.ts";
export { IDENTITY_CONSUMER } from "./identity.ts";
export { INVENTORY_CONSUMER } from "./inventory.ts";
export { ORDER_CONSUMER } from "./orders.ts";

/** Every consumer of notification: identity's, the order context's and inventory's events. */
export function createConsumers(deps: ConsumerDeps): EventConsumer[] {
  return [createIdentityConsumer(deps), createOrderConsumer(deps), createInventoryConsumer(deps)];
}
