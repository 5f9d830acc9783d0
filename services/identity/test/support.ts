import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { IdentityService, type TokenPair } from "@shopmesh/contracts/shopmesh/identity/v1/identity_pb";
import { createServiceToken } from "@shopmesh/kit/auth";
import { createLogger } from "@shopmesh/kit/log";
import { type CallOptions, Code, createRpcClient, type RpcClient } from "@shopmesh/kit/rpc";
import { createTestDatabase, deleteStreams, type TestDatabase, testPrefix } from "@shopmesh/kit/testing";
import { createIdentity, type Identity } from "../src/app.ts";
import { loadIdentityConfig } from "../src/config.ts";

export const ADMIN = { email: "root@shopmesh.test", password: "correct horse battery staple" };
export const PASSWORD = "a long enough passphrase";
export const SERVICE_SECRET = "identity-test-service-secret";

/** An identity service running in-process on a random port, on its own database and stream prefix. */
export interface TestIdentity {
  identity: Identity;
  address: string;
  prefix: string;
  client: RpcClient<typeof IdentityService>;
  /** A client that calls as the service "order" (service token). */
  serviceClient: RpcClient<typeof IdentityService>;
  /** Registers an account and signs it in. */
  signUp(email: string, displayName?: string): Promise<SignedIn>;
  signIn(email: string, password?: string, userAgent?: string): Promise<SignedIn>;
  /** The admin seeded from SHOPMESH_ADMIN_*, signed in. */
  admin(): Promise<SignedIn>;
  /** Events in the outbox of one schema, optionally about one aggregate, oldest first. */
  events<S extends DescMessage>(schema: S, aggregateId?: string): Promise<MessageShape<S>[]>;
  stop(): Promise<void>;
}

export interface SignedIn {
  userId: string;
  email: string;
  tokens: TokenPair;
  /** Call options carrying the access token. */
  auth: CallOptions;
}

export function bearer(tokens: TokenPair): CallOptions {
  return { call: { authorization: `Bearer ${tokens.accessToken}` } };
}

export async function startIdentity(): Promise<TestIdentity> {
  const database: TestDatabase = await createTestDatabase();
  const prefix = testPrefix();
  const config = loadIdentityConfig({
    DATABASE_URL: database.url,
    EVENTS_PREFIX: prefix,
    PORT: "0",
    METRICS_PORT: "0",
    LOG_LEVEL: "silent",
    SERVICE_TOKEN_SECRET: SERVICE_SECRET,
    SHOPMESH_ADMIN_EMAIL: ADMIN.email,
    SHOPMESH_ADMIN_PASSWORD: ADMIN.password,
  });
  let identity: Identity;
  try {
    identity = await createIdentity(config, {
      logger: createLogger({ service: "identity", level: "silent" }),
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const port = await identity.listen(0, "127.0.0.1");
  const address = `127.0.0.1:${port}`;
  const client = createRpcClient(IdentityService, { address, timeoutMs: 15_000 });
  const serviceClient = createRpcClient(IdentityService, {
    address,
    serviceToken: createServiceToken({ service: "order", secret: SERVICE_SECRET }),
  });

  async function signIn(email: string, password = PASSWORD, userAgent = "vitest"): Promise<SignedIn> {
    const { tokens, user } = await client.login({
      email,
      password,
      client: { userAgent, ipAddress: "203.0.113.7" },
    });
    return { userId: user!.id, email, tokens: tokens!, auth: bearer(tokens!) };
  }

  return {
    identity,
    address,
    prefix,
    client,
    serviceClient,
    async signUp(email, displayName = "") {
      await client.register({ email, password: PASSWORD, displayName });
      return signIn(email);
    },
    signIn,
    admin: () => signIn(ADMIN.email, ADMIN.password),
    async events(schema, aggregateId) {
      const rows = await identity.db.execute<{ data: Uint8Array }>(
        `select data from outbox_events where type = ?${aggregateId ? " and aggregate_id = ?" : ""} order by id`,
        aggregateId ? [schema.typeName, aggregateId] : [schema.typeName],
      );
      return rows.map((row) => fromBinary(schema, row.data) as MessageShape<typeof schema>);
    },
    async stop() {
      client.close();
      serviceClient.close();
      await identity.close(1_000);
      await deleteStreams(prefix).catch(() => undefined);
      await database.drop();
    },
  };
}

export { rpcFailure as failure } from "@shopmesh/kit/testing";
export { Code };
