import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Paths of a throwaway PKI made by openssl: one CA, leaf certificates it signed, and a stranger's. */
export interface TestPki {
  dir: string;
  caFile: string;
  /** Certificate and key of a leaf named `name`, signed by the CA (or by another CA for `stranger`). */
  leaf(name: string): { certFile: string; keyFile: string };
  /** Deletes every file. */
  remove(): void;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Makes a CA and, for each name, a certificate for both TLS roles (serverAuth + clientAuth, as
 * a service is a server to its callers and a client of its peers) naming `localhost` and
 * 127.0.0.1. `stranger` is signed by a second CA the servers must not trust.
 */
export function createTestPki(names: readonly string[]): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "shopmesh-pki-"));
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const makeCa = (name: string) =>
    openssl([
      "req",
      "-x509",
      ...EC_KEY,
      ...["-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "1", "-subj", `/CN=${name}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ]);
  const makeLeaf = (name: string, ca: string) => {
    writeFileSync(
      join(dir, `${name}.ext`),
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
    );
    openssl(["req", ...EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`]);
    openssl([
      ...["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`],
      ...["-CAcreateserial", "-days", "1", "-out", `${name}.crt`, "-extfile", `${name}.ext`],
    ]);
  };
  makeCa("ca");
  makeCa("other-ca");
  for (const name of names) makeLeaf(name, "ca");
  makeLeaf("stranger", "other-ca");
  return {
    dir,
    caFile: join(dir, "ca.crt"),
    leaf: (name) => ({ certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
