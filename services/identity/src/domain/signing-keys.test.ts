import { SigningKeyRotatedSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { describe, expect, it } from "vitest";
import {
  currentSigningKey,
  expiredSigningKeys,
  publishedSigningKeys,
  rotateSigningKeys,
} from "./signing-keys.ts";

const t0 = new Date("2025-03-01T10:00:00Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

interface Key {
  kid: string;
  createTime: Date;
  retireTime: Date | null;
}

const key = (kid: string, createTime: Date): Key => ({ kid, createTime, retireTime: null });

describe("signing key rotation", () => {
  it("makes the new key current and retires the old one", () => {
    const { keys, retired, events } = rotateSigningKeys([key("k1", t0)], key("k2", minutes(60)), minutes(60));
    expect(currentSigningKey(keys)?.kid).toBe("k2");
    expect(retired).toEqual([{ kid: "k1", createTime: t0, retireTime: minutes(60) }]);
    expect(events[0]?.type).toBe(SigningKeyRotatedSchema);
    expect(events[0]?.data).toMatchObject({ kid: "k2", previousKid: "k1" });
    expect(events[0]?.subject).toBe("k2");
  });

  it("records an empty previous kid for the first key", () => {
    expect(rotateSigningKeys([], key("k1", t0), t0).events[0]?.data).toMatchObject({
      kid: "k1",
      previousKid: "",
    });
  });

  it("keeps the old key published while tokens it signed can live (15 min + 5 min margin)", () => {
    const { keys } = rotateSigningKeys([key("k1", t0)], key("k2", minutes(60)), minutes(60));
    expect(publishedSigningKeys(keys, minutes(60)).map((k) => k.kid)).toEqual(["k2", "k1"]);
    expect(publishedSigningKeys(keys, minutes(79)).map((k) => k.kid)).toEqual(["k2", "k1"]);
    expect(publishedSigningKeys(keys, minutes(80)).map((k) => k.kid)).toEqual(["k2"]);
    expect(expiredSigningKeys(keys, minutes(80)).map((k) => k.kid)).toEqual(["k1"]);
    expect(expiredSigningKeys(keys, minutes(79))).toEqual([]);
  });

  it("honours a longer token lifetime", () => {
    const { keys } = rotateSigningKeys([key("k1", t0)], key("k2", t0), t0);
    expect(
      publishedSigningKeys(keys, minutes(50), { maxTokenTtlSeconds: 3600, marginSeconds: 0 }),
    ).toHaveLength(2);
  });
});
