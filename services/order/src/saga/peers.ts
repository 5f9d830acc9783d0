import { CartService } from "@shopmesh/contracts/shopmesh/cart/v1/cart_pb";
import { InventoryService } from "@shopmesh/contracts/shopmesh/inventory/v1/inventory_pb";
import { PaymentService } from "@shopmesh/contracts/shopmesh/payment/v1/payment_pb";
import { ShippingService } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import type { Logger } from "@shopmesh/kit/log";
import type { Metrics } from "@shopmesh/kit/metrics";
import { type ChannelTls, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";

/** The services order calls. */
export interface Peers {
  /** Called with the customer's own token (a user token selects the user's cart). */
  cart: RpcClient<typeof CartService>;
  inventory: RpcClient<typeof InventoryService>;
  payment: RpcClient<typeof PaymentService>;
  shipping: RpcClient<typeof ShippingService>;
  close(): void;
}

export interface PeersOptions {
  addresses: { cart: string; inventory: string; payment: string; shipping: string };
  /** The deadline of each call. */
  timeoutMs: number;
  /** SERVICE_TOKEN_SECRET: calls without a user token carry a service token of "order". */
  serviceSecret?: string;
  /** Client certificates for native mutual TLS outside a mesh (the kit's rpcTlsFromFiles). */
  tls?: ChannelTls | undefined;
  logger: Logger;
  metrics: Metrics;
}

/** The name order calls its peers as. */
export const SERVICE_NAME = "order";

/**
 * gRPC clients of cart, inventory, payment and shipping. Calls made for the saga carry a service
 * token of "order"; the cart is read with the customer's token, which the caller forwards.
 */
export function createPeers(options: PeersOptions): Peers {
  const serviceToken = options.serviceSecret
    ? createServiceToken({ service: SERVICE_NAME, secret: options.serviceSecret })
    : undefined;
  const peer = (address: string) => ({
    address,
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    metrics: options.metrics,
    tls: options.tls,
    ...(serviceToken ? { serviceToken } : {}),
  });
  const peers = {
    cart: createRpcClient(CartService, peer(options.addresses.cart)),
    inventory: createRpcClient(InventoryService, peer(options.addresses.inventory)),
    payment: createRpcClient(PaymentService, peer(options.addresses.payment)),
    shipping: createRpcClient(ShippingService, peer(options.addresses.shipping)),
  };
  return {
    ...peers,
    close() {
      for (const client of Object.values(peers)) client.close();
    },
  };
}
