import { describe, expect, it } from "vitest";
import { createLineFormatter } from "./log-format.ts";

describe("createLineFormatter", () => {
  const format = createLineFormatter({ names: ["identity", "bff"], color: false });

  it("lines up the prefixes of all processes", () => {
    expect(format("bff", "plain text")).toBe("bff      | plain text");
    expect(format("identity", "plain text")).toBe("identity | plain text");
  });

  it("turns a JSON log line into time, level, message and fields", () => {
    const time = new Date(2025, 0, 2, 13, 4, 5, 67).toISOString();
    const line = JSON.stringify({
      level: "warn",
      time,
      service: "identity",
      msg: "login failed",
      userId: "u1",
      attempts: 3,
    });
    expect(format("identity", line)).toBe("identity | 13:04:05.067 WARN  login failed userId=u1 attempts=3");
  });

  it("understands pino's numeric levels", () => {
    expect(format("bff", JSON.stringify({ level: 50, msg: "boom" }))).toBe("bff      | ERROR boom");
  });

  it("prints an error's stack on its own lines", () => {
    const err = { type: "Error", message: "db down", stack: "Error: db down\n    at connect (db.ts:1:1)" };
    expect(format("bff", JSON.stringify({ level: "error", msg: "failed", err }))).toBe(
      "bff      | ERROR failed err=db down\n    Error: db down\n        at connect (db.ts:1:1)",
    );
  });

  it("leaves text that merely looks like JSON alone", () => {
    expect(format("bff", "{not json")).toBe("bff      | {not json");
  });

  it("colours only when asked", () => {
    const colored = createLineFormatter({ names: ["bff"], color: true });
    expect(colored("bff", "x")).toContain("\u001b[");
    expect(format("bff", "x")).not.toContain("\u001b[");
  });
});
