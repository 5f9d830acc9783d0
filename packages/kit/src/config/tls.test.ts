import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rpcTlsFromFiles } from "../rpc/tls-files.ts";
import { ConfigError, checkTlsFiles, loadConfig, tlsFiles } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "kit-tls-files-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const cert = file("cert.pem", "CERT");
const key = file("key.pem", "KEY");
const ca = file("ca.pem", "CA");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problems(env: Record<string, string>): string[] {
  try {
    checkTlsFiles(loadConfig(tlsFiles, env));
  } catch (error) {
    if (error instanceof ConfigError) return error.variables;
    throw error;
  }
  return [];
}

describe("tlsFiles", () => {
  it("accepts none, certificate + key, and certificate + key + CA", () => {
    expect(problems({})).toEqual([]);
    expect(problems({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key })).toEqual([]);
    expect(problems({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key, TLS_CA_FILE: ca })).toEqual([]);
  });

  it("names the partner missing from a certificate or a key, and a CA set alone", () => {
    expect(problems({ TLS_CERT_FILE: cert })).toEqual(["TLS_KEY_FILE"]);
    expect(problems({ TLS_KEY_FILE: key, TLS_CA_FILE: ca })).toEqual(["TLS_CERT_FILE"]);
    expect(problems({ TLS_CA_FILE: ca })).toEqual(["TLS_CA_FILE"]);
  });

  it("names a file that cannot be read", () => {
    expect(problems({ TLS_CERT_FILE: cert, TLS_KEY_FILE: join(dir, "missing.pem") })).toEqual([
      "TLS_KEY_FILE",
    ]);
  });
});

describe("rpcTlsFromFiles", () => {
  it("is plaintext without files", () => {
    expect(rpcTlsFromFiles({})).toEqual({});
  });

  it("serves TLS and presents the certificate without a CA", () => {
    const tls = rpcTlsFromFiles({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
    expect(tls.server).toEqual({ cert: Buffer.from("CERT"), key: Buffer.from("KEY") });
    expect(tls.client).toEqual({ cert: Buffer.from("CERT"), key: Buffer.from("KEY") });
  });

  it("requires client certificates signed by the CA, and trusts only it, with a CA", () => {
    const tls = rpcTlsFromFiles({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key, TLS_CA_FILE: ca });
    expect(tls.server).toEqual({
      cert: Buffer.from("CERT"),
      key: Buffer.from("KEY"),
      ca: Buffer.from("CA"),
      requestClientCert: true,
    });
    expect(tls.client).toEqual({ ca: Buffer.from("CA"), cert: Buffer.from("CERT"), key: Buffer.from("KEY") });
  });
});
