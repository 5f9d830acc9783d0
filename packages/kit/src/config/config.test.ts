import { describe, expect, it } from "vitest";
import { ConfigError, infrastructure, int, loadConfig, port, url } from "./index.ts";

describe("loadConfig", () => {
  it("applies defaults for unset and empty variables", () => {
    const config = loadConfig({ PORT: port(8080), ...infrastructure }, { PORT: "" });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/shopmesh");
    expect(config.EVENTS_PREFIX).toBe("shopmesh");
  });

  it("names every bad variable in one error", () => {
    let error: unknown;
    try {
      loadConfig(
        { PORT: port(8080), DATABASE_URL: url("postgres://x/y", ["postgres:"]), TIMEOUT_MS: int(10) },
        { PORT: "99999", DATABASE_URL: "mysql://db/x", TIMEOUT_MS: "soon" },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables.sort()).toEqual(["DATABASE_URL", "PORT", "TIMEOUT_MS"]);
    expect((error as ConfigError).message).toContain("DATABASE_URL");
  });

  it("parses values it is given", () => {
    const config = loadConfig(
      { PORT: port(1), NATS_URL: infrastructure.NATS_URL },
      { PORT: "50051", NATS_URL: "nats://n:4222" },
    );
    expect(config).toEqual({ PORT: 50051, NATS_URL: "nats://n:4222" });
  });
});
