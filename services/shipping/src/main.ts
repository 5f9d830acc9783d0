import { runServiceMain } from "@shopmesh/kit/service";
import { createShipping } from "./app.ts";
import { loadShippingConfig } from "./config.ts";

/** The shipping service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "shipping",
  config: () => loadShippingConfig(),
  create: createShipping,
});
