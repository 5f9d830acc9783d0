/** The baseline: a bare Hono JSON endpoint on @hono/node-server, nothing else. Prints `ready <port>`. */
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.json({ message: "hello, shopmesh" }));

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" },
  (info) => console.log(`ready ${info.port}`),
);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
