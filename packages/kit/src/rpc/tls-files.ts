import { readFileSync } from "node:fs";
import type { TlsFiles } from "../config/tls.ts";
import type { ChannelTls } from "./channel.ts";
import type { RpcServerTls } from "./server.ts";

/** The `tls` options of a process's gRPC server and of its clients; both undefined for plaintext. */
export interface RpcTls {
  /** For `createRpcServer({ tls })`. */
  server?: RpcServerTls;
  /** For `createRpcClient(service, { tls })`, `createHealthClient` and `createIdentityKeys`. */
  client?: ChannelTls;
}

/**
 * Reads TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE (the kit config's `tlsFiles`, already checked
 * by `checkTlsFiles`) into server and client TLS options, once at start:
 *
 * - none: `{}` — plaintext, as inside the Istio mesh, which adds mTLS itself;
 * - certificate + key: the server serves TLS, clients present the certificate and trust the
 *   system CAs;
 * - certificate + key + CA: mutual TLS. The server refuses clients without a certificate signed
 *   by the CA; clients trust only servers the CA signed and present their own certificate.
 *
 *   const tls = rpcTlsFromFiles(config);
 *   const server = createRpcServer({ service: "cart", logger, tls: tls.server });
 *   const catalog = createRpcClient(CatalogService, { address, tls: tls.client });
 */
export function rpcTlsFromFiles(config: TlsFiles): RpcTls {
  if (config.TLS_CERT_FILE === undefined || config.TLS_KEY_FILE === undefined) return {};
  const cert = readFileSync(config.TLS_CERT_FILE);
  const key = readFileSync(config.TLS_KEY_FILE);
  if (config.TLS_CA_FILE === undefined) return { server: { cert, key }, client: { cert, key } };
  const ca = readFileSync(config.TLS_CA_FILE);
  return {
    server: { cert, key, ca, requestClientCert: true },
    client: { ca, cert, key },
  };
}
