import { runServiceMain } from "@shopmesh/kit/service";
import { createCartApp } from "./app.ts";
import { loadCartConfig } from "./config.ts";

/** The cart service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "cart",
  config: () => loadCartConfig(),
  create: createCartApp,
});
