import { Writable } from "node:stream";
import { createLogger, type Logger } from "@shopmesh/kit/log";

/** A logger whose JSON lines are kept in `lines` for assertions. */
export function captureLogs(level = "debug"): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ service: "bff-test", level, destination }), lines };
}
