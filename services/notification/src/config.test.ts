import { ConfigError } from "@shopmesh/kit/config";
import { describe, expect, it } from "vitest";
import { loadNotificationConfig } from "./config.ts";

describe("notification configuration", () => {
  it("has local defaults", () => {
    const config = loadNotificationConfig({});
    expect(config).toMatchObject({
      PORT: 50058,
      METRICS_PORT: 9471,
      DB_SCHEMA: "notification",
      SMTP_URL: "smtp://127.0.0.1:1025",
      DEFAULT_LOCALE: "en",
      NOTIFY_ADMIN_EMAILS: [],
      DELIVERY_MAX_ATTEMPTS: 6,
    });
    expect(config.SERVICE_TOKEN_SECRET).toBeUndefined();
  });

  it("reads the admin addresses as a list, lower case and without repeats", () => {
    const config = loadNotificationConfig({
      NOTIFY_ADMIN_EMAILS: "Ops@Shop.test, owner@shop.test,ops@shop.test",
    });
    expect(config.NOTIFY_ADMIN_EMAILS).toEqual(["ops@shop.test", "owner@shop.test"]);
  });

  it("names every bad variable", () => {
    try {
      loadNotificationConfig({
        NOTIFY_ADMIN_EMAILS: "not-an-address",
        SMTP_URL: "http://mail",
        DELIVERY_RETRY_BASE_MS: "5000",
        DELIVERY_RETRY_MAX_MS: "1000",
        DEFAULT_LOCALE: "English",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variables.sort()).toEqual([
        "DEFAULT_LOCALE",
        "NOTIFY_ADMIN_EMAILS",
        "SMTP_URL",
      ]);
    }
    expect(() =>
      loadNotificationConfig({ DELIVERY_RETRY_BASE_MS: "5000", DELIVERY_RETRY_MAX_MS: "1000" }),
    ).toThrow(/DELIVERY_RETRY_MAX_MS/);
  });
});
