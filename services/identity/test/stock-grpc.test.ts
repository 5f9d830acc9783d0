import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, startIdentity, type TestIdentity } from "./support.ts";

const protoRoot = fileURLToPath(new URL("../../../proto/", import.meta.url));
const LOADER_OPTIONS: protoLoader.Options = {
  includeDirs: [protoRoot],
  longs: String,
  enums: String,
  defaults: true,
};

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
) => void;

/** Calls a method of a stock grpc-js client as a promise. */
function call(client: grpc.Client, method: string, request: object, metadata = new grpc.Metadata()) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
    fn(request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

function loadService(file: string, path: string[]): grpc.ServiceClientConstructor {
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER_OPTIONS));
  let node: unknown = definition;
  for (const part of path) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}

let service: TestIdentity;
let identity: grpc.Client;
let health: grpc.Client;

beforeAll(async () => {
  service = await startIdentity();
  const Identity = loadService("shopmesh/identity/v1/identity.proto", [
    "shopmesh",
    "identity",
    "v1",
    "IdentityService",
  ]);
  const Health = loadService("grpc/health/v1/health.proto", ["grpc", "health", "v1", "Health"]);
  identity = new Identity(service.address, grpc.credentials.createInsecure());
  health = new Health(service.address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  identity?.close();
  health?.close();
  await service?.stop();
});

describe("identity with a stock gRPC client", () => {
  it("registers, signs in and reads the profile with the bearer token in metadata", async () => {
    const registered = await call(identity, "Register", {
      email: "Stock.Client@Example.com",
      password: PASSWORD,
      displayName: "Stock Client",
    });
    expect(registered.user).toMatchObject({ email: "stock.client@example.com", roles: ["ROLE_CUSTOMER"] });

    const login = await call(identity, "Login", { email: "stock.client@example.com", password: PASSWORD });
    const tokens = login.tokens as { accessToken: string; refreshToken: string; expiresIn: number };
    expect(tokens.accessToken.split(".")).toHaveLength(3);
    expect(tokens.refreshToken).toMatch(/^rt_/);
    expect(tokens.expiresIn).toBe(900);

    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${tokens.accessToken}`);
    const profile = await call(identity, "GetProfile", {}, metadata);
    expect(profile.user).toMatchObject({ email: "stock.client@example.com", displayName: "Stock Client" });
  });

  it("answers UNAUTHENTICATED to a profile call without a token", async () => {
    const error = (await call(identity, "GetProfile", {}).catch((e) => e)) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("serves grpc.health.v1 Check: SERVING for the server and the identity service", async () => {
    expect(await call(health, "Check", { service: "" })).toEqual({ status: "SERVING" });
    expect(await call(health, "Check", { service: "shopmesh.identity.v1.IdentityService" })).toEqual({
      status: "SERVING",
    });
  });
});
