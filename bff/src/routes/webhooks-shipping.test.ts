import type { OpenAPIHono } from "@hono/zod-openapi";
import { ShipmentStatus } from "@shopmesh/contracts/shopmesh/shipping/v1/shipping_pb";
import { signWebhook } from "@shopmesh/kit/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCarrierEvent } from "../../../services/shipping/src/domain/carrier-event.ts";
import {
  shipmentRequest,
  startTestShipping,
  type TestShipping,
} from "../../../services/shipping/test/support.ts";
import { createTestBff, type TestBff } from "../../test/support/deps.ts";
import { json } from "../../test/support/http.ts";
import { createApp } from "../app.ts";
import { WEBHOOK_SIGNATURE_HEADER } from "./webhooks.ts";

/**
 * POST /webhooks/shipping/{carrier} through the whole BFF into a real shipping service: the BFF
 * forwards the raw body and the signature header, shipping verifies them.
 */

let shipping: TestShipping;
let bff: TestBff;
let app: OpenAPIHono;
let sequence = 0;

beforeAll(async () => {
  shipping = await startTestShipping();
  bff = await createTestBff({}, { shipping: shipping.client });
  app = createApp(bff.deps);
});

afterAll(async () => {
  await bff?.cleanup();
  await shipping?.stop();
});

async function labelled() {
  return (await shipping.order.createShipment(shipmentRequest())).shipment!;
}

function body(trackingNumber: string, status: "in_transit" | "delivered" = "in_transit"): string {
  sequence++;
  return formatCarrierEvent({
    id: `evt_bff_${sequence}_${Date.now()}`,
    created: Math.floor(Date.now() / 1000),
    trackingNumber,
    status,
    location: "Leipzig hub",
  });
}

function post(payload: string, signature?: string, carrier = "simcarrier") {
  return app.request(`/webhooks/shipping/${carrier}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature === undefined ? {} : { [WEBHOOK_SIGNATURE_HEADER]: signature }),
    },
    body: payload,
  });
}

describe("POST /webhooks/shipping/simcarrier", () => {
  it("answers 200 for a signed event and the shipment moves", async () => {
    const shipment = await labelled();
    const payload = body(shipment.trackingNumber);
    const res = await post(payload, shipping.sign(payload));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: true, duplicate: false });
    const { shipment: now } = await shipping.order.getShipment({ orderId: shipment.orderId });
    expect(now?.status).toBe(ShipmentStatus.IN_TRANSIT);
    expect(now?.trackingEvents.at(-1)?.location).toBe("Leipzig hub");
  });

  it("answers duplicate: true for a replayed event", async () => {
    const shipment = await labelled();
    const payload = body(shipment.trackingNumber);
    const signature = shipping.sign(payload);
    expect(await json(await post(payload, signature))).toEqual({ received: true, duplicate: false });
    const again = await post(payload, signature);
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({ received: true, duplicate: true });
  });

  it("answers 401 problem+json without a signature", async () => {
    const shipment = await labelled();
    const res = await post(body(shipment.trackingNumber));
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await json(res)).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
  });

  it("answers 401 problem+json for a wrong or stale signature, and nothing changes", async () => {
    const shipment = await labelled();
    const payload = body(shipment.trackingNumber, "delivered");
    const now = Math.floor(Date.now() / 1000);
    for (const signature of [
      signWebhook("some-other-secret-123456", payload),
      shipping.sign(payload, now - 600),
      "t=1,v1=nothex",
    ]) {
      const res = await post(payload, signature);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await json(res)).toMatchObject({ status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    }
    const { shipment: unchanged } = await shipping.order.getShipment({ orderId: shipment.orderId });
    expect(unchanged?.status).toBe(ShipmentStatus.LABEL_CREATED);
  });

  it("forwards the body byte for byte: a signature over other bytes is refused", async () => {
    const shipment = await labelled();
    const payload = body(shipment.trackingNumber);
    const res = await post(`${payload}\n`, shipping.sign(payload));
    expect(res.status).toBe(401);
  });

  it("answers 404 for a carrier shipping does not know", async () => {
    const payload = body("SIMAAAAAAAAAAAA");
    const res = await post(payload, shipping.sign(payload), "parcelco");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });
});
