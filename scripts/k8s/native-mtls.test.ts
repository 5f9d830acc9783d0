import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { loadConfig, tlsFiles } from "@shopmesh/kit/config";
import { createHealthClient, rpcTlsFromFiles } from "@shopmesh/kit/rpc";
import { deleteStreams, testPrefix } from "@shopmesh/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "./pki.ts";

/**
 * Native mutual TLS outside a mesh, end to end: the real cart process (`node
 * services/cart/src/main.ts`, the lightest service: Redis only) started with TLS_CERT_FILE,
 * TLS_KEY_FILE and TLS_CA_FILE serves grpc.health.v1 to a stock grpc-js client presenting a
 * certificate from the CA, and refuses one without a certificate, one from another CA and a
 * plaintext one. The kit's own client, configured from the same variables, is served too.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const protoRoot = fileURLToPath(new URL("../../proto/", import.meta.url));
const Health = (
  grpc.loadPackageDefinition(
    protoLoader.loadSync("grpc/health/v1/health.proto", { includeDirs: [protoRoot], enums: String }),
  ) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } }
).grpc.health.v1.Health;

/** The certificates name "localhost"; grpc-js checks that name rather than the IP address. */
const STOCK_OPTIONS: grpc.ChannelOptions = { "grpc.ssl_target_name_override": "localhost" };

interface Started {
  child: ChildProcess;
  port: number;
}

/** Starts the cart process and resolves with its gRPC port, read from its "cart serving" log line. */
async function startCart(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ["services/cart/src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split("\n")) {
        if (!line.includes('"cart serving"')) continue;
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once("exit", (code) => reject(new Error(`cart exited with ${code} before serving: ${output}`)));
  });
  return { child, port };
}

/** Runs the cart process to its end; resolves with its exit code and stderr. */
async function runCart(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["services/cart/src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

function check(credentials: grpc.ChannelCredentials, address: string): Promise<string> {
  const client = new Health(address, credentials, STOCK_OPTIONS);
  return new Promise<string>((resolve, reject) => {
    (client as unknown as Record<string, (...args: unknown[]) => void>).Check!(
      { service: "" },
      { deadline: Date.now() + 5_000 },
      (error: grpc.ServiceError | null, response: { status: string }) => {
        client.close();
        if (error) reject(error);
        else resolve(response.status);
      },
    );
  });
}

let pki: TestPki;
let cart: Started;
let address: string;
// The cart publishes CartCreated on NATS: its stream belongs to this file alone.
const eventsPrefix = testPrefix();
const baseEnv = () => ({
  HOST: "127.0.0.1",
  PORT: "0",
  METRICS_PORT: "0",
  LOG_LEVEL: "info",
  CART_PREFIX: `${eventsPrefix}:cart:`,
  EVENTS_PREFIX: eventsPrefix,
});

beforeAll(async () => {
  pki = createTestPki(["cart", "bff"]);
  const { certFile, keyFile } = pki.leaf("cart");
  cart = await startCart({
    ...baseEnv(),
    TLS_CERT_FILE: certFile,
    TLS_KEY_FILE: keyFile,
    TLS_CA_FILE: pki.caFile,
  });
  address = `127.0.0.1:${cart.port}`;
});

afterAll(async () => {
  if (cart && cart.child.exitCode === null) {
    cart.child.kill("SIGTERM");
    await once(cart.child, "exit");
  }
  pki?.remove();
  await deleteStreams(eventsPrefix);
});

describe("a service started with TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE", () => {
  it("serves a stock gRPC client that presents a certificate signed by the CA", async () => {
    const { certFile, keyFile } = pki.leaf("bff");
    const credentials = grpc.credentials.createSsl(
      readFileSync(pki.caFile),
      readFileSync(keyFile),
      readFileSync(certFile),
    );
    expect(await check(credentials, address)).toBe("SERVING");
  });

  it("refuses a stock client without a certificate, with another CA's, or in plaintext", async () => {
    const stranger = pki.leaf("stranger");
    for (const credentials of [
      grpc.credentials.createSsl(readFileSync(pki.caFile)),
      grpc.credentials.createSsl(
        readFileSync(pki.caFile),
        readFileSync(stranger.keyFile),
        readFileSync(stranger.certFile),
      ),
      grpc.credentials.createInsecure(),
    ]) {
      const error = (await check(credentials, address).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
    }
  });

  it("serves the kit's client configured from the same variables (rpcTlsFromFiles)", async () => {
    const { certFile, keyFile } = pki.leaf("bff");
    const config = loadConfig(tlsFiles, {
      TLS_CERT_FILE: certFile,
      TLS_KEY_FILE: keyFile,
      TLS_CA_FILE: pki.caFile,
    });
    const tls = rpcTlsFromFiles(config).client;
    const health = createHealthClient(`localhost:${cart.port}`, tls);
    expect(await health.check("", 5_000)).toBe("SERVING");
    health.close();

    const plaintext = createHealthClient(`localhost:${cart.port}`);
    expect(await plaintext.check("", 2_000)).toBe("UNREACHABLE");
    plaintext.close();
  });

  it("refuses to start with a certificate but no key, naming the missing variable", async () => {
    const { certFile } = pki.leaf("cart");
    const { code, stderr } = await runCart({ ...baseEnv(), TLS_CERT_FILE: certFile });
    expect(code).toBe(1);
    expect(stderr).toContain("TLS_KEY_FILE: is required with TLS_CERT_FILE");
  });

  it("refuses to start with a TLS file it cannot read", async () => {
    const { certFile } = pki.leaf("cart");
    const { code, stderr } = await runCart({
      ...baseEnv(),
      TLS_CERT_FILE: certFile,
      TLS_KEY_FILE: `${pki.dir}/missing.key`,
    });
    expect(code).toBe(1);
    expect(stderr).toContain("TLS_KEY_FILE: must name a readable PEM file");
  });
});
