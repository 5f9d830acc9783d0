import { describe, expect, it } from "vitest";
import { checkEmail, normalizeEmail } from "./email.ts";

describe("email", () => {
  it("normalises by trimming and lower-casing", () => {
    expect(normalizeEmail("  Ann.Lee@Example.COM ")).toBe("ann.lee@example.com");
  });

  it.each(["ann@example.com", "ann.lee+shop@mail.example.co.uk", "o'brien@example.ie", "x@xn--bcher-kva.de"])(
    "accepts %s",
    (email) => {
      expect(checkEmail(email)).toEqual([]);
    },
  );

  it.each([
    ["", "is required"],
    ["ann", "email address"],
    ["ann@", "email address"],
    ["@example.com", "email address"],
    ["ann@localhost", "domain"],
    ["ann@exa_mple.com", "domain"],
    ["ann@-example.com", "domain"],
    ["ann@example.c", "domain"],
    ["ann..lee@example.com", "before @"],
    [".ann@example.com", "before @"],
    ["ann lee@example.com", "before @"],
    ["ann@example..com", "domain"],
  ])("rejects %j", (email, message) => {
    const violations = checkEmail(email);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe("email");
    expect(violations[0]?.description).toContain(message);
  });

  it("rejects addresses over 254 characters and local parts over 64", () => {
    expect(checkEmail(`${"a".repeat(64)}@${"b".repeat(190)}.com`)[0]?.description).toContain("254");
    expect(checkEmail(`${"a".repeat(65)}@example.com`)[0]?.description).toContain("64");
  });

  it("names the given field", () => {
    expect(checkEmail("nope", "user.email")[0]?.field).toBe("user.email");
  });
});
