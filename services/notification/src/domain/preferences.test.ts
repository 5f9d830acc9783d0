import { describe, expect, it } from "vitest";
import { allows, checkSettingChanges, effectivePreferences } from "./preferences.ts";

const USER = "0190a000-0000-7000-8000-000000000001";

describe("notification preferences", () => {
  it("applies the defaults where the user never chose", () => {
    const preferences = effectivePreferences(USER, [], null);
    expect(preferences.settings).toHaveLength(16);
    expect(allows(preferences, "orders", "email")).toBe(true);
    expect(allows(preferences, "orders", "push")).toBe(true);
    expect(allows(preferences, "orders", "sms")).toBe(false);
    expect(allows(preferences, "marketing", "email")).toBe(false);
    expect(allows(preferences, "stock_alerts", "in_app")).toBe(true);
  });

  it("honours what the user turned on and off", () => {
    const preferences = effectivePreferences(
      USER,
      [
        { category: "orders", channel: "sms", enabled: true },
        { category: "orders", channel: "in_app", enabled: false },
        { category: "marketing", channel: "email", enabled: true },
      ],
      new Date(),
    );
    expect(allows(preferences, "orders", "sms")).toBe(true);
    expect(allows(preferences, "orders", "in_app")).toBe(false);
    expect(allows(preferences, "marketing", "email")).toBe(true);
  });

  it("always sends transactional email, even when a stored switch says otherwise", () => {
    const preferences = effectivePreferences(
      USER,
      [
        { category: "orders", channel: "email", enabled: false },
        { category: "account", channel: "email", enabled: false },
      ],
      new Date(),
    );
    expect(allows(preferences, "orders", "email")).toBe(true);
    expect(allows(preferences, "account", "email")).toBe(true);
    const locked = preferences.settings.filter((s) => s.locked).map((s) => `${s.category}/${s.channel}`);
    expect(locked).toEqual(["account/email", "orders/email"]);
  });

  it("refuses to turn transactional email off, and names unknown or repeated settings", () => {
    expect(
      checkSettingChanges(
        [
          { category: "orders", channel: "email", enabled: false },
          { category: undefined, channel: "sms", enabled: true },
          { category: "marketing", channel: "push", enabled: true },
          { category: "marketing", channel: "push", enabled: false },
        ],
        "settings",
      ),
    ).toEqual([
      { field: "settings[0].enabled", description: "orders email is transactional and always sent" },
      { field: "settings[1].category", description: "must be a category" },
      { field: "settings[3]", description: "marketing push is named twice" },
    ]);
    expect(
      checkSettingChanges([{ category: "orders", channel: "email", enabled: true }], "settings"),
    ).toEqual([]);
  });
});
