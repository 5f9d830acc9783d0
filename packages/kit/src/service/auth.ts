import type { JWK } from "jose";
import { createIdentityKeys } from "../auth/identity-keys.ts";
import { createTokenVerifier, type TokenVerifier } from "../auth/verifier.ts";
import type { TlsFiles } from "../config/tls.ts";
import type { Logger } from "../log/index.ts";
import { type RpcTls, rpcTlsFromFiles } from "../rpc/tls-files.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** The part of a service's configuration that `createServiceAuth` reads. */
export interface ServiceAuthConfig extends TlsFiles {
  /** Where identity serves its JWKS; needed unless `keys` is given. */
  IDENTITY_ADDRESS?: string;
  /** The shared secret of service tokens; without it service tokens are refused. */
  SERVICE_TOKEN_SECRET?: string | undefined;
}

export interface ServiceAuthOptions {
  config: ServiceAuthConfig;
  logger: Logger;
  /** The identity keys client is closed with it. */
  lifecycle: Lifecycle;
  /** The public keys that verify access tokens; default identity's JWKS at IDENTITY_ADDRESS. */
  keys?: (() => Promise<JWK[]>) | undefined;
  /** How often the keys are fetched again; default the verifier's. */
  refreshMs?: number;
  /** TLS already read from the configuration (a service that needed its clients' TLS earlier); default read here. */
  tls?: RpcTls;
}

/** What a service's gRPC server needs to check callers, and to talk TLS. */
export interface ServiceAuth {
  /** For `createRpcServer({ verifier })`. */
  verifier: TokenVerifier;
  /** `rpcTlsFromFiles(config)`: `tls.server` for the server, `tls.client` for the service's clients. */
  tls: RpcTls;
}

/**
 * The token verifier and TLS options every service builds the same way: access tokens checked
 * with identity's keys (fetched over gRPC, with the service's client TLS, at the first call that
 * carries a token, so a service starts without identity), service tokens with
 * SERVICE_TOKEN_SECRET when it is set.
 *
 *   const { verifier, tls } = createServiceAuth({ config, logger, lifecycle, keys: options.jwks });
 *   const server = createRpcServer({ service: "inventory", logger, verifier, metrics, tls: tls.server });
 */
export function createServiceAuth(options: ServiceAuthOptions): ServiceAuth {
  const { config, logger, lifecycle } = options;
  const tls = options.tls ?? rpcTlsFromFiles(config);
  const verifier = createTokenVerifier({
    keys: options.keys ?? identityKeys(config, logger, lifecycle, tls),
    ...(options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {}),
    ...(config.SERVICE_TOKEN_SECRET ? { serviceSecret: config.SERVICE_TOKEN_SECRET } : {}),
  });
  return { verifier, tls };
}

/** identity's JWKS for the verifier; the client is closed with the service. */
function identityKeys(config: ServiceAuthConfig, logger: Logger, lifecycle: Lifecycle, tls: RpcTls) {
  if (config.IDENTITY_ADDRESS === undefined) {
    throw new Error("createServiceAuth needs IDENTITY_ADDRESS or keys to verify access tokens");
  }
  const source = createIdentityKeys({ address: config.IDENTITY_ADDRESS, logger, tls: tls.client });
  lifecycle.defer(() => source.close());
  return () => source.keys();
}
