import { z } from "@hono/zod-openapi";
import type { JWK } from "jose";
import { problemResponses } from "../errors/index.ts";
import type { SurfaceApp } from "./types.ts";

/**
 * `/.well-known/jwks.json`: identity's public signing keys, so anyone can verify shopmesh access
 * tokens. Cached for a minute: a rotated key is published before it signs anything, and old keys
 * stay listed until their tokens expire, so a minute of staleness never rejects a valid token.
 */
export function registerJwks(app: SurfaceApp, jwks: () => Promise<JWK[]>): void {
  app.get("/.well-known/jwks.json", async (c) =>
    c.json({ keys: await jwks() }, 200, { "Cache-Control": "public, max-age=60" }),
  );
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/.well-known/jwks.json",
    tags: ["platform"],
    summary: "Public keys that verify access tokens (RFC 7517 JWK Set)",
    responses: {
      200: {
        description: "The JWK Set",
        content: {
          "application/json": {
            schema: z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string() })) }),
          },
        },
      },
      ...problemResponses(503),
    },
  });
}
