import { runServiceMain } from "@shopmesh/kit/service";
import { createNotification } from "./app.ts";
import { loadNotificationConfig } from "./config.ts";

/** The notification service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "notification",
  config: () => loadNotificationConfig(),
  create: createNotification,
});
