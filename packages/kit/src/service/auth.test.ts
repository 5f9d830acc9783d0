import { describe, expect, it } from "vitest";
import { createServiceToken } from "../auth/service-token.ts";
import { createLogger } from "../log/index.ts";
import { createServiceAuth } from "./auth.ts";
import { createLifecycle } from "./lifecycle.ts";

const logger = createLogger({ service: "test", level: "silent" });
const SECRET = "a-service-token-secret-for-tests";

describe("createServiceAuth", () => {
  it("accepts service tokens signed with SERVICE_TOKEN_SECRET", async () => {
    const auth = createServiceAuth({
      config: { SERVICE_TOKEN_SECRET: SECRET },
      logger,
      lifecycle: createLifecycle(),
      keys: async () => [],
    });
    const token = await createServiceToken({ service: "order", secret: SECRET })();
    await expect(auth.verifier.verify(token)).resolves.toMatchObject({ kind: "service", service: "order" });
  });

  it("refuses service tokens when no secret is configured", async () => {
    const auth = createServiceAuth({
      config: {},
      logger,
      lifecycle: createLifecycle(),
      keys: async () => [],
    });
    const token = await createServiceToken({ service: "order", secret: SECRET })();
    await expect(auth.verifier.verify(token)).rejects.toThrow();
  });

  it("serves plaintext without TLS files", () => {
    const auth = createServiceAuth({
      config: {},
      logger,
      lifecycle: createLifecycle(),
      keys: async () => [],
    });
    expect(auth.tls).toEqual({});
  });

  it("closes identity's keys client with the lifecycle, and only when it made one", async () => {
    const counting = () => {
      const inner = createLifecycle();
      const lifecycle = { ...inner, deferred: 0 };
      lifecycle.defer = (step) => {
        lifecycle.deferred++;
        inner.defer(step);
      };
      return lifecycle;
    };
    const given = counting();
    createServiceAuth({ config: {}, logger, lifecycle: given, keys: async () => [] });
    expect(given.deferred).toBe(0);

    const made = counting();
    createServiceAuth({ config: { IDENTITY_ADDRESS: "127.0.0.1:1" }, logger, lifecycle: made });
    expect(made.deferred).toBe(1);
    await expect(made.undo()).resolves.toBeUndefined();
  });

  it("needs IDENTITY_ADDRESS when no keys are given", () => {
    expect(() => createServiceAuth({ config: {}, logger, lifecycle: createLifecycle() })).toThrow(
      /IDENTITY_ADDRESS/,
    );
  });
});
