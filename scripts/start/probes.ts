import { connect } from "node:net";
import { maintenanceUrl, withPg } from "./pg.ts";

/** A probe resolves to undefined when the server answers, or to why it does not. */
export type Probe = () => Promise<string | undefined>;

/** PostgreSQL answers a query on the maintenance database with the URL's credentials. */
export function postgresProbe(databaseUrl: string): Probe {
  return async () => {
    try {
      await withPg(maintenanceUrl(databaseUrl), (client) => client.query("select 1"), 2000);
      return undefined;
    } catch (error) {
      return describe(error);
    }
  };
}

/** Redis answers PING (after AUTH when the URL carries a password). */
export function redisProbe(redisUrl: string): Probe {
  const url = new URL(redisUrl);
  const commands: string[] = [];
  if (url.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    commands.push(resp(user ? ["AUTH", user, password] : ["AUTH", password]));
  }
  commands.push(resp(["PING"]));
  return async () => {
    try {
      // the PING reply is the last one: wait for it (or for the connection to be refused)
      const reply = await converse(url.hostname, Number(url.port || 6379), commands.join(""), (text) =>
        /\+PONG|-NOAUTH|-WRONGPASS/.test(text) ? text : undefined,
      );
      const refused = reply.split("\r\n").find((line) => /^-(NOAUTH|WRONGPASS)/.test(line));
      return refused ? `Redis replied ${refused}` : undefined;
    } catch (error) {
      return describe(error);
    }
  };
}

/**
 * NATS answers a JetStream account-info request ($JS.API.INFO). An open port is not enough: a
 * server started without -js accepts connections but every stream operation would fail.
 */
export function natsProbe(natsUrl: string): Probe {
  const url = new URL(natsUrl);
  const connectOptions: Record<string, unknown> = {
    verbose: false,
    pedantic: false,
    headers: true,
    no_responders: true,
  };
  if (url.username) connectOptions.user = decodeURIComponent(url.username);
  if (url.password) connectOptions.pass = decodeURIComponent(url.password);
  const request = [
    `CONNECT ${JSON.stringify(connectOptions)}`,
    "SUB _INBOX.shopmesh_probe 1",
    "PUB $JS.API.INFO _INBOX.shopmesh_probe 0",
    "",
    "",
  ].join("\r\n");
  return async () => {
    try {
      const reply = await converse(url.hostname, Number(url.port || 4222), request, (text) =>
        /account_info_response|NATS\/1\.0 503|-ERR/.test(text) ? text : undefined,
      );
      if (reply.includes("account_info_response") && !reply.includes('"error"')) return undefined;
      if (reply.includes("503")) return "JetStream is not enabled (start nats-server with -js)";
      return `NATS replied ${reply.trim().slice(0, 200)}`;
    } catch (error) {
      return describe(error);
    }
  };
}

function resp(parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join("")}`;
}

/** Writes `request`, reads until `done` returns the reply, bounded by `timeoutMs`. */
function converse(
  host: string,
  port: number,
  request: string,
  done: (text: string) => string | undefined,
  timeoutMs = 2000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let text = "";
    const finish = (error: Error | undefined, reply?: string) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? text);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)),
    );
    socket.once("error", (error) => finish(error));
    socket.once("connect", () => socket.write(request));
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
      const reply = done(text);
      if (reply !== undefined) finish(undefined, reply);
    });
    socket.once("end", () => finish(new Error(`${host}:${port} closed the connection`)));
  });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  const code = (error as { code?: string }).code;
  const message = (error as Error).message || String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
