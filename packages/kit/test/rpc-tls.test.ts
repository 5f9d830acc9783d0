import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, type ConnectError } from "@connectrpc/connect";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { EchoService } from "@shopmesh/contracts/shopmesh/testing/v1/echo_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log/index.ts";
import { createRpcClient, createRpcServer, type RpcServer, type ServiceHandlers } from "../src/rpc/index.ts";

/**
 * createRpcServer over TLS and mutual TLS, with throwaway certificates made by openssl: a CA that
 * signs the server's and a client's certificate, and another CA whose client must be refused.
 */

const logger = createLogger({ service: "test", level: "silent" });
const handlers: ServiceHandlers<typeof EchoService> = {
  async echo(request) {
    return { message: request.message };
  },
  async echoOnce(request) {
    return { message: request.message };
  },
  async *echoStream() {},
  async echoCollect() {
    return {};
  },
};
const RULES = { echo: "public", echoOnce: "public", echoStream: "public", echoCollect: "public" } as const;

interface Pki {
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  otherClientCert: Buffer;
  otherClientKey: Buffer;
}

let dir: string;

/** Runs openssl in the temp dir; `command` is split on spaces (no argument here has one). */
function openssl(command: string): void {
  execFileSync("openssl", command.split(" "), { cwd: dir, stdio: "pipe" });
}

const EC_KEY = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

function makeCa(name: string): void {
  openssl(
    `req -x509 ${EC_KEY} -keyout ${name}.key -out ${name}.crt -days 1 -subj /CN=${name} ` +
      "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign",
  );
}

function makeLeaf(name: string, ca: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(`req ${EC_KEY} -keyout ${name}.key -out ${name}.csr -subj /CN=${name}`);
  openssl(
    `x509 -req -in ${name}.csr -CA ${ca}.crt -CAkey ${ca}.key -set_serial ${Date.now()} -days 1 ` +
      `-out ${name}.crt -extfile ${name}.ext`,
  );
}

function makePki(): Pki {
  makeCa("test-ca");
  makeCa("other-ca");
  makeLeaf("server", "test-ca", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  makeLeaf("client", "test-ca", "extendedKeyUsage=clientAuth\n");
  makeLeaf("intruder", "other-ca", "extendedKeyUsage=clientAuth\n");
  const read = (file: string) => readFileSync(join(dir, file));
  return {
    ca: read("test-ca.crt"),
    serverCert: read("server.crt"),
    serverKey: read("server.key"),
    clientCert: read("client.crt"),
    clientKey: read("client.key"),
    otherClientCert: read("intruder.crt"),
    otherClientKey: read("intruder.key"),
  };
}

const protoRoot = fileURLToPath(new URL("../../../proto/", import.meta.url));
const StockEcho = grpc.loadPackageDefinition(
  protoLoader.loadSync("shopmesh/testing/v1/echo.proto", { includeDirs: [protoRoot] }),
) as unknown as { shopmesh: { testing: { v1: { EchoService: grpc.ServiceClientConstructor } } } };

/** The certificate names "localhost": TLS name checks take that, never the IP address. */
const STOCK_OPTIONS: grpc.ChannelOptions = { "grpc.ssl_target_name_override": "localhost" };

function stockEcho(client: grpc.Client, message: string) {
  return new Promise<{ message: string }>((resolve, reject) => {
    (client as unknown as Record<string, (...args: unknown[]) => void>).Echo!(
      { message },
      { deadline: Date.now() + 5_000 },
      (error: grpc.ServiceError | null, response: { message: string }) =>
        error ? reject(error) : resolve(response),
    );
  });
}

let pki: Pki;
let mutual: RpcServer;
let mutualAddress: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kit-rpc-tls-"));
  pki = makePki();
  mutual = createRpcServer({
    service: "echo",
    logger,
    tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestClientCert: true },
  });
  mutual.add(EchoService, handlers, RULES);
  mutualAddress = `127.0.0.1:${await mutual.listen(0, "127.0.0.1")}`;
});

afterAll(async () => {
  await mutual?.shutdown(100);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("createRpcServer with mutual TLS", () => {
  it("serves a kit client presenting a certificate from its CA", async () => {
    const client = createRpcClient(EchoService, {
      address: mutualAddress,
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, serverName: "localhost" },
    });
    expect((await client.echo({ message: "mtls" })).message).toBe("mtls");
    client.close();
  });

  it("refuses a kit client without a certificate or with one from another CA", async () => {
    for (const tls of [
      { ca: pki.ca, serverName: "localhost" },
      { ca: pki.ca, cert: pki.otherClientCert, key: pki.otherClientKey, serverName: "localhost" },
    ]) {
      const client = createRpcClient(EchoService, { address: mutualAddress, tls, maxAttempts: 1 });
      const error = (await client.echo({ message: "no" }).catch((e) => e)) as ConnectError;
      expect(error.code).toBe(Code.Unavailable);
      client.close();
    }
  });

  it("serves a stock grpc-js client with createSsl and refuses one without a client certificate", async () => {
    const trusted = new StockEcho.shopmesh.testing.v1.EchoService(
      mutualAddress,
      grpc.credentials.createSsl(pki.ca, pki.clientKey, pki.clientCert),
      STOCK_OPTIONS,
    );
    expect((await stockEcho(trusted, "stock mtls")).message).toBe("stock mtls");
    trusted.close();

    for (const credentials of [
      grpc.credentials.createSsl(pki.ca),
      grpc.credentials.createSsl(pki.ca, pki.otherClientKey, pki.otherClientCert),
    ]) {
      const refused = new StockEcho.shopmesh.testing.v1.EchoService(
        mutualAddress,
        credentials,
        STOCK_OPTIONS,
      );
      const error = (await stockEcho(refused, "no").catch((e) => e)) as grpc.ServiceError;
      expect(error.code).toBe(grpc.status.UNAVAILABLE);
      refused.close();
    }
  });

  it("serves plain TLS clients when client certificates are not requested", async () => {
    const server = createRpcServer({
      service: "echo",
      logger,
      tls: { cert: pki.serverCert, key: pki.serverKey },
    });
    server.add(EchoService, handlers, RULES);
    const address = `127.0.0.1:${await server.listen(0, "127.0.0.1")}`;
    const client = createRpcClient(EchoService, { address, tls: { ca: pki.ca, serverName: "localhost" } });
    expect((await client.echo({ message: "tls" })).message).toBe("tls");
    client.close();

    const plaintext = createRpcClient(EchoService, { address, maxAttempts: 1, timeoutMs: 1_000 });
    const error = (await plaintext.echo({ message: "clear" }).catch((e) => e)) as ConnectError;
    expect([Code.Unavailable, Code.DeadlineExceeded]).toContain(error.code);
    plaintext.close();
    await server.shutdown(100);
  });
});
