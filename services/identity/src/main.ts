import { runServiceMain } from "@shopmesh/kit/service";
import { createIdentity } from "./app.ts";
import { loadIdentityConfig } from "./config.ts";

/** The identity service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "identity",
  config: () => loadIdentityConfig(),
  create: createIdentity,
});
