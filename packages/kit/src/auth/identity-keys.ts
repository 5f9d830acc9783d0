import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import type { JWK } from "jose";
import type { Logger } from "../log/index.ts";
import type { ChannelTls } from "../rpc/channel.ts";
import { createRpcClient } from "../rpc/client.ts";

/** identity's public signing keys, for a token verifier (`createTokenVerifier({ keys })`). */
export interface IdentityKeys {
  /** The current JWKS; concurrent asks share one GetJwks call. */
  keys(): Promise<JWK[]>;
  close(): void;
}

/**
 * Fetches identity's JWKS over gRPC (GetJwks). Every service that verifies access tokens, and the
 * BFF, gets its keys this way; the verifier decides when to ask (on a schedule and for an unknown
 * kid), and concurrent asks are coalesced into one call.
 */
export function createIdentityKeys(options: {
  address: string;
  logger?: Logger;
  /** TLS towards identity outside a mesh (`rpcTlsFromFiles(config).client`); plaintext by default. */
  tls?: ChannelTls;
}): IdentityKeys {
  const identity = createRpcClient(IdentityService, {
    address: options.address,
    logger: options.logger,
    tls: options.tls,
  });
  let inflight: Promise<JWK[]> | undefined;
  return {
    keys() {
      inflight ??= identity
        .getJwks({})
        .then(({ keys }) => keys.map(({ kid, kty, crv, x, alg, use }) => ({ kid, kty, crv, x, alg, use })))
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
    close: () => identity.close(),
  };
}
