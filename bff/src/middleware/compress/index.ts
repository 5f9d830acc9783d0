import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { MiddlewareHandler } from "hono";

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export interface CompressOptions {
  /** Smaller bodies go out as they are: compressing them costs more than it saves. Default 1 KiB. */
  thresholdBytes?: number;
  /** Bodies above this are left alone (they should be streamed, not buffered). Default 8 MiB. */
  maxBytes?: number;
}

const COMPRESSIBLE =
  /^\s*(?:application\/(?:json|problem\+json|ld\+json|xml|javascript)|text\/(?!event-stream))/i;

/**
 * Compresses JSON and text answers with brotli or gzip, as the client accepts, when they are
 * larger than a threshold. Unlike a stream-per-response compressor, it reads the (already built)
 * body, so small answers — most of an API's — skip compression entirely and get a Content-Length.
 * Event streams and answers marked `Cache-Control: no-transform` are never touched.
 */
export function compress(options: CompressOptions = {}): MiddlewareHandler {
  const threshold = options.thresholdBytes ?? 1024;
  const max = options.maxBytes ?? 8 * 1024 * 1024;
  return async function compress(c, next) {
    await next();
    const res = c.res;
    const accepted = c.req.header("accept-encoding");
    if (!accepted || !res.body || c.req.method === "HEAD" || res.status === 204 || res.status === 206) return;
    if (res.headers.has("content-encoding") || /no-transform/i.test(res.headers.get("cache-control") ?? ""))
      return;
    if (!COMPRESSIBLE.test(res.headers.get("content-type") ?? "")) return;
    const length = Number(res.headers.get("content-length") ?? Number.NaN);
    if (length < threshold || length > max) return;
    const encoding = pick(accepted);
    vary(res.headers);
    if (!encoding) return;
    const body = new Uint8Array(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    if (body.byteLength < threshold || body.byteLength > max) {
      headers.set("content-length", String(body.byteLength));
      c.res = new Response(body, { status: res.status, headers });
      return;
    }
    const packed =
      encoding === "br"
        ? await brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
        : await gzipAsync(body, { level: 6 });
    headers.set("content-encoding", encoding);
    headers.set("content-length", String(packed.byteLength));
    const etag = headers.get("etag");
    if (etag && !etag.startsWith("W/")) headers.set("etag", `W/${etag}`);
    c.res = new Response(packed, { status: res.status, headers });
  };
}

function pick(accepted: string): "br" | "gzip" | undefined {
  const offered = accepted
    .toLowerCase()
    .split(",")
    .map((part) => part.trim())
    .filter((part) => !/;\s*q=0(\.0*)?$/.test(part))
    .map((part) => part.split(";")[0]);
  if (offered.includes("br")) return "br";
  if (offered.includes("gzip") || offered.includes("*")) return "gzip";
  return undefined;
}

function vary(headers: Headers): void {
  const current = headers.get("vary");
  if (current === "*" || (current && /accept-encoding/i.test(current))) return;
  headers.set("vary", current ? `${current}, Accept-Encoding` : "Accept-Encoding");
}
