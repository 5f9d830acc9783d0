import { describe, expect, it } from "vitest";
import { checkPassword } from "./password-policy.ts";

describe("checkPassword", () => {
  it("accepts a long, uncommon password", () => {
    expect(checkPassword("correct horse battery staple")).toEqual([]);
  });

  it("requires 10 to 128 characters, counting characters not bytes", () => {
    expect(checkPassword("")[0]?.description).toBe("is required");
    expect(checkPassword("abc12345x")[0]?.description).toContain("at least 10");
    expect(checkPassword("ä".repeat(5) + "b".repeat(5))).toEqual([]);
    expect(checkPassword("x".repeat(64) + "y".repeat(65))[0]?.description).toContain("at most 128");
  });

  it("rejects one repeated character", () => {
    expect(checkPassword("aaaaaaaaaaaa")[0]?.description).toContain("repeat");
  });

  it("rejects the account's email and its name part, in any case", () => {
    const email = "longer.name@example.com";
    expect(checkPassword("Longer.Name@Example.com", { email })).toHaveLength(1);
    expect(checkPassword("LONGER.NAME", { email })[0]?.description).toContain("email");
  });

  it("rejects the most common passwords, in any case", () => {
    expect(checkPassword("Password123")[0]?.description).toContain("too common");
    expect(checkPassword("qwertyuiop")[0]?.description).toContain("too common");
  });

  it("names the request field", () => {
    expect(checkPassword("short", { field: "newPassword" })[0]?.field).toBe("newPassword");
  });
});
