import { createLogger } from "@shopmesh/kit/log";
import { createOrder } from "../../../services/order/src/app.ts";
import { loadOrderConfig } from "../../../services/order/src/config.ts";
import { createPayment } from "../../../services/payment/src/app.ts";
import { loadPaymentConfig } from "../../../services/payment/src/config.ts";
import { createShipping } from "../../../services/shipping/src/app.ts";
import { loadShippingConfig } from "../../../services/shipping/src/config.ts";
import { type RunningShop, SHOP_SERVICE_SECRET } from "./shop.ts";

/** The simulated carrier's webhook secret in the end-to-end tests: sign carrier webhooks with it. */
export const CARRIER_WEBHOOK_SECRET = "e2e-simcarrier-webhook-secret";
/** The sandbox payment provider's webhook secret in the end-to-end tests. */
export const PAYMENT_WEBHOOK_SECRET = "e2e-sandbox-webhook-secret";

export interface RunningCheckout {
  orderAddress: string;
  paymentAddress: string;
  shippingAddress: string;
  close(): Promise<void>;
}

/**
 * The real payment, shipping and order services, in process, on the test's database and event
 * prefix, next to the shop's catalog, inventory and cart (startTestShop). They trust the same
 * identity and service-token secret. The simulated carrier's own loop is off: parcels move only
 * when a test says so (admin routes or a signed carrier webhook).
 */
export async function startTestCheckout(options: {
  databaseUrl: string;
  prefix: string;
  identityAddress: string;
  shop: RunningShop;
}): Promise<RunningCheckout> {
  const logger = (service: string) => createLogger({ service, level: "silent" });
  const common = {
    DATABASE_URL: options.databaseUrl,
    EVENTS_PREFIX: options.prefix,
    IDENTITY_ADDRESS: options.identityAddress,
    SERVICE_TOKEN_SECRET: SHOP_SERVICE_SECRET,
    METRICS_PORT: "0",
    PORT: "0",
    LOG_LEVEL: "silent",
  };
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const step of closers.reverse()) await step().catch(() => undefined);
  };
  try {
    const payment = await createPayment(
      loadPaymentConfig({ ...common, SANDBOX_WEBHOOK_SECRET: PAYMENT_WEBHOOK_SECRET }),
      { logger: logger("payment") },
    );
    closers.push(() => payment.close(200));
    const paymentAddress = `127.0.0.1:${await payment.listen(0, "127.0.0.1")}`;

    const shipping = await createShipping(
      loadShippingConfig({
        ...common,
        SIMCARRIER_WEBHOOK_SECRET: CARRIER_WEBHOOK_SECRET,
        SIMCARRIER_STEP_MS: "0",
      }),
      { logger: logger("shipping") },
    );
    closers.push(() => shipping.close(200));
    const shippingAddress = `127.0.0.1:${await shipping.listen(0, "127.0.0.1")}`;

    const order = await createOrder(
      loadOrderConfig({
        ...common,
        CART_ADDRESS: options.shop.cartAddress,
        INVENTORY_ADDRESS: options.shop.inventoryAddress,
        PAYMENT_ADDRESS: paymentAddress,
        SHIPPING_ADDRESS: shippingAddress,
        // Two cores shared with other test files: give the saga's calls room.
        PEER_TIMEOUT_MS: "10000",
        SAGA_LEASE_MS: "30000",
        PLACE_ORDER_WAIT_MS: "25000",
      }),
      { logger: logger("order") },
    );
    closers.push(() => order.close(200));
    const orderAddress = `127.0.0.1:${await order.listen(0, "127.0.0.1")}`;
    return { orderAddress, paymentAddress, shippingAddress, close };
  } catch (error) {
    await close();
    throw error;
  }
}
