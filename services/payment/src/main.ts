import { runServiceMain } from "@shopmesh/kit/service";
import { createPayment } from "./app.ts";
import { loadPaymentConfig } from "./config.ts";

/** The payment service process: configuration, wiring (app.ts), serving, clean shutdown. */
await runServiceMain({
  name: "payment",
  config: () => loadPaymentConfig(),
  create: createPayment,
  describe: (payment) => ({ providers: payment.providers.names() }),
});
