import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, freePorts } from "./free-port.ts";

const ephemeralStart = Number(
  readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0],
);

const listen = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve(() => new Promise((done) => server.close(() => done()))));
  });

describe("freePorts", () => {
  it("hands out blocks of ports below the ephemeral range, each once, that a server can listen on", async () => {
    const handed = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const first = await freePorts(10);
      for (let port = first; port < first + 10; port++) {
        // an outgoing connection never takes a port below the ephemeral range
        expect(port).toBeLessThan(ephemeralStart);
        expect(handed.has(port)).toBe(false);
        handed.add(port);
      }
    }
    const port = await freePort();
    expect(handed.has(port)).toBe(false);
    const close = await listen(port);
    await close();
  });
});
