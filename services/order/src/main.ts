import { runServiceMain } from "@shopmesh/kit/service";
import { createOrder } from "./app.ts";
import { loadOrderConfig } from "./config.ts";

/** The order service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "order",
  config: () => loadOrderConfig(),
  create: async (config) => {
    const order = await createOrder(config);
    if (config.ORDER_SAGA_PAUSE_AT) {
      order.logger.warn({ step: config.ORDER_SAGA_PAUSE_AT }, "test hook: sagas pause before this step");
    }
    return order;
  },
});
