import type { DescService } from "@bufbuild/protobuf";
import { IdentityService } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { type RoleName, TOKEN_AUDIENCE, TOKEN_ISSUER } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { type AccessRules, Code, createRpcServer, RpcError, type ServiceHandlers } from "@shopmesh/kit/rpc";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/**
 * Access tokens without identity, for tests and benchmarks (no vitest here, so scripts import it
 * too): a real Ed25519 key that signs tokens as identity would, and a stand-in of identity that
 * serves only its JWKS, for services that fetch keys from IDENTITY_ADDRESS.
 */

export interface TestKeys {
  jwks: JWK[];
  /** Signs an access token for `userId` with `roles`, valid for two hours. */
  sign(userId: string, roles: RoleName[]): Promise<string>;
}

/** A fresh Ed25519 signing key with its JWKS (kid `kid`). */
export async function createTestKeys(kid = "order-test-key"): Promise<TestKeys> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwks: JWK[] = [{ ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" }];
  return {
    jwks,
    sign: (userId, roles) =>
      new SignJWT({ sid: "0190a000-0000-7000-8000-0000000005e5", roles })
        .setProtectedHeader({ alg: "EdDSA", kid })
        .setSubject(userId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime("2h")
        .sign(privateKey),
  };
}

/** A running JWKS stand-in. */
export interface JwksServer {
  /** host:port to give as IDENTITY_ADDRESS. */
  address: string;
  stop(): Promise<void>;
}

/** A stand-in of identity that answers GetJwks with `jwks` and every other RPC UNIMPLEMENTED. */
export async function startJwksServer(jwks: JWK[]): Promise<JwksServer> {
  const server = createRpcServer({
    service: "identity-jwks",
    logger: createLogger({ service: "identity-jwks", level: "silent" }),
  });
  const handlers: Record<string, unknown> = {};
  for (const method of IdentityService.methods) {
    handlers[method.localName] = async () => {
      throw new RpcError(`${method.name} is not part of the JWKS stand-in`, Code.Unimplemented);
    };
  }
  handlers.getJwks = async () => ({
    keys: jwks.map((key) => ({
      kid: key.kid ?? "",
      kty: key.kty ?? "",
      crv: key.crv ?? "",
      x: key.x ?? "",
      alg: key.alg ?? "",
      use: key.use ?? "",
    })),
  });
  server.add(
    IdentityService,
    handlers as ServiceHandlers<typeof IdentityService>,
    publicRules(IdentityService) as AccessRules<typeof IdentityService>,
  );
  const port = await server.listen(0, "127.0.0.1");
  return { address: `127.0.0.1:${port}`, stop: () => server.shutdown(200) };
}

/** Every RPC of `service` open to anyone: for test doubles. */
export function publicRules(service: DescService): Record<string, "public"> {
  return Object.fromEntries(service.methods.map((method) => [method.localName, "public" as const]));
}
