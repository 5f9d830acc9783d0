import { fileURLToPath } from "node:url";
import { measureHttp } from "../autocannon.ts";
import { startServerProcess } from "../server-process.ts";
import type { Scenario } from "../types.ts";

/** The yardstick every HTTP figure is read against: what Hono alone does on this machine. */
export const honoBaseline: Scenario = {
  name: "hono-baseline",
  description: "bare Hono JSON endpoint (@hono/node-server), autocannon",
  async run(context) {
    const entry = fileURLToPath(new URL("../servers/hono-hello.ts", import.meta.url));
    const { process: server, port } = await startServerProcess({ name: "hono", entry });
    try {
      context.log(`hono-baseline: ${context.connections} connections, ${context.durationS} s`);
      const result = await measureHttp({
        url: `http://127.0.0.1:${port}/`,
        connections: context.connections,
        durationS: context.durationS,
      });
      return [{ name: "hono-baseline", ...result, note: "GET / -> JSON, baseline" }];
    } finally {
      await server.stop({ graceMs: 2000 });
    }
  },
};
