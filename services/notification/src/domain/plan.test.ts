import { describe, expect, it } from "vitest";
import { planChannels } from "./plan.ts";
import { effectivePreferences } from "./preferences.ts";

const USER = "0190a000-0000-7000-8000-000000000001";
const defaults = effectivePreferences(USER, [], null);

describe("planning channels", () => {
  it("sends an order confirmation by email, push and in-app by default", () => {
    expect(planChannels("order_confirmed", { kind: "user", userId: USER, preferences: defaults })).toEqual([
      "email",
      "push",
      "in_app",
    ]);
  });

  it("texts only users who turned SMS on and have a phone", () => {
    const sms = effectivePreferences(USER, [{ category: "orders", channel: "sms", enabled: true }], null);
    expect(planChannels("order_shipped", { kind: "user", userId: USER, preferences: sms })).toContain(
      "email",
    );
    expect(planChannels("order_shipped", { kind: "user", userId: USER, preferences: sms })).not.toContain(
      "sms",
    );
    expect(
      planChannels("order_shipped", { kind: "user", userId: USER, preferences: sms, phone: "+4930123456" }),
    ).toEqual(["email", "sms", "push", "in_app"]);
  });

  it("keeps transactional email when the user turned everything else off", () => {
    const quiet = effectivePreferences(
      USER,
      [
        { category: "orders", channel: "push", enabled: false },
        { category: "orders", channel: "in_app", enabled: false },
      ],
      null,
    );
    expect(planChannels("order_delivered", { kind: "user", userId: USER, preferences: quiet })).toEqual([
      "email",
    ]);
  });

  it("lets admins turn stock alerts off entirely (not transactional)", () => {
    const off = effectivePreferences(
      USER,
      [
        { category: "stock_alerts", channel: "email", enabled: false },
        { category: "stock_alerts", channel: "in_app", enabled: false },
      ],
      null,
    );
    expect(planChannels("low_stock", { kind: "user", userId: USER, preferences: off })).toEqual([]);
  });

  it("sends only email to configured addresses", () => {
    expect(planChannels("low_stock", { kind: "address", email: "ops@shop.test" })).toEqual(["email"]);
  });

  it("never puts a verification token anywhere but email", () => {
    expect(planChannels("email_verification", { kind: "user", userId: USER, preferences: defaults })).toEqual(
      ["email"],
    );
  });
});
