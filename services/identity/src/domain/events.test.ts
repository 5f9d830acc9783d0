import { toBinary } from "@bufbuild/protobuf";
import { UserUnlockedSchema } from "@shopmesh/contracts/shopmesh/identity/v1/events_pb";
import { domainEvent } from "@shopmesh/kit/domain-events";
import { describe, expect, it } from "vitest";

describe("domainEvent", () => {
  it("creates a message of the schema, ready to serialise", () => {
    const event = domainEvent(UserUnlockedSchema, "u1", { userId: "u1" });
    expect(event.type.typeName).toBe("shopmesh.identity.v1.UserUnlocked");
    expect(event.data.$typeName).toBe("shopmesh.identity.v1.UserUnlocked");
    expect(event.subject).toBe("u1");
    expect(toBinary(event.type, event.data).length).toBeGreaterThan(0);
  });
});
