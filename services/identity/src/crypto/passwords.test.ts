import { hash as argon2Hash, argon2id } from "argon2";
import { describe, expect, it } from "vitest";
import {
  hashPassword,
  needsRehash,
  PASSWORD_HASH_PARAMS,
  verifyDummyPassword,
  verifyPassword,
} from "./passwords.ts";

describe("password hashing", () => {
  it("hashes with argon2id at the configured cost, salted per hash", async () => {
    const a = await hashPassword("correct horse battery staple");
    const b = await hashPassword("correct horse battery staple");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(a).not.toBe(b);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(await verifyPassword(hash, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hash, "correct horse battery stapler")).toBe(false);
  });

  it("treats differently composed Unicode as the same password", async () => {
    const hash = await hashPassword("caf\u00e9 au lait bitte");
    expect(await verifyPassword(hash, "cafe\u0301 au lait bitte")).toBe(true);
  });

  it("refuses (without throwing) empty and malformed hashes", async () => {
    expect(await verifyPassword("", "anything")).toBe(false);
    expect(await verifyPassword("$argon2id$garbage", "anything")).toBe(false);
  });

  it("asks for a rehash of hashes made with other parameters", async () => {
    expect(needsRehash(await hashPassword("a long password"))).toBe(false);
    const weak = await argon2Hash("a long password", {
      type: argon2id,
      memoryCost: 8192,
      timeCost: 1,
      parallelism: 1,
    });
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash("not a hash")).toBe(true);
    expect(needsRehash(weak, { ...PASSWORD_HASH_PARAMS, memoryCost: 8192, timeCost: 1 })).toBe(false);
  });

  it("spends a real verification on unknown emails and always refuses", async () => {
    expect(await verifyDummyPassword("shopmesh dummy password: never a user's")).toBe(false);
    expect(await verifyDummyPassword("whatever")).toBe(false);
  });
});
