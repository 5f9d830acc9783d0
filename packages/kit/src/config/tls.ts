import { accessSync, constants } from "node:fs";
import { z } from "zod";
import { ConfigError } from "./errors.ts";

/** A path to a PEM file the process can read; unset is allowed. */
function pemFile() {
  return z
    .string()
    .refine((path) => {
      try {
        accessSync(path, constants.R_OK);
        return true;
      } catch {
        return false;
      }
    }, "must name a readable PEM file")
    .optional();
}

/**
 * Native gRPC TLS outside a mesh (ARCHITECTURE.md section 4: in Kubernetes Istio adds mTLS
 * instead). Spread into a service's configuration shape and check with `checkTlsFiles`; turn
 * into server and client options with `rpcTlsFromFiles` from `@shopmesh/kit/rpc`.
 *
 * - none set: plaintext gRPC (the default, and what runs inside the mesh);
 * - TLS_CERT_FILE + TLS_KEY_FILE: the server serves TLS with this certificate, and the process's
 *   clients present it to their peers (trusting the system CAs);
 * - plus TLS_CA_FILE: mutual TLS. The server refuses every client without a certificate signed by
 *   this CA, and the clients trust only servers whose certificate it signed.
 */
export const tlsFiles = {
  /** PEM certificate (chain) of this process: served by its gRPC server, presented by its clients. */
  TLS_CERT_FILE: pemFile(),
  /** PEM private key of TLS_CERT_FILE. */
  TLS_KEY_FILE: pemFile(),
  /** PEM CA bundle that signs every peer's certificate: turns on mutual TLS. */
  TLS_CA_FILE: pemFile(),
};

/** The TLS variables of a loaded configuration. */
export interface TlsFiles {
  TLS_CERT_FILE?: string | undefined;
  TLS_KEY_FILE?: string | undefined;
  TLS_CA_FILE?: string | undefined;
}

/** The combinations `tlsFiles` refuses: a certificate without its key (or the reverse), a CA alone. */
export function tlsProblems(config: TlsFiles): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  const cert = config.TLS_CERT_FILE !== undefined;
  const key = config.TLS_KEY_FILE !== undefined;
  if (cert && !key) problems.push({ variable: "TLS_KEY_FILE", message: "is required with TLS_CERT_FILE" });
  if (key && !cert) problems.push({ variable: "TLS_CERT_FILE", message: "is required with TLS_KEY_FILE" });
  if (config.TLS_CA_FILE !== undefined && !cert && !key) {
    problems.push({
      variable: "TLS_CA_FILE",
      message: "needs TLS_CERT_FILE and TLS_KEY_FILE (mutual TLS: this process's own certificate)",
    });
  }
  return problems;
}

/** Throws a ConfigError naming each TLS variable set without its partner. */
export function checkTlsFiles(config: TlsFiles): void {
  const problems = tlsProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
}
