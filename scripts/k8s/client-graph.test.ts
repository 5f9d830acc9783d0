import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readClientGraph, repositoryRoot } from "./client-graph.ts";

/** The analysis behind the AuthorizationPolicies, on a fixture that calls in every supported way. */

const root = repositoryRoot();

describe("readClientGraph", () => {
  it("finds calls on kit clients however they reach the call, and the kit's own clients", async () => {
    const result = await readClientGraph(root, [
      { name: "fixture", src: join(root, "scripts", "k8s", "fixtures", "client-graph") },
    ]);
    expect(result.graph).toEqual({
      fixture: {
        cart: ["/shopmesh.cart.v1.CartService/AddItem", "/shopmesh.cart.v1.CartService/GetCart"],
        catalog: ["/grpc.health.v1.Health/Check"],
        identity: [
          "/shopmesh.identity.v1.IdentityService/GetJwks",
          "/shopmesh.identity.v1.IdentityService/GetProfile",
        ],
      },
    });
    const fixture = join(root, "scripts", "k8s", "fixtures", "client-graph", "caller.ts");
    const line =
      readFileSync(fixture, "utf8")
        .split("\n")
        .findIndex((text) => text.includes("cart.clearCart(")) + 1;
    expect(result.problems).toEqual([
      `scripts/k8s/fixtures/client-graph/caller.ts:${line}: calls an RPC on a client whose type is not the kit's ` +
        "RpcClient<typeof Service>: type it as RpcClient so the mesh policies see the call",
    ]);
  }, 60_000);
});
