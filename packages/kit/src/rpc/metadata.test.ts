import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { isProtoContentType, metadataText, parseTimeout } from "./metadata.ts";

describe("gRPC request headers", () => {
  it("reads grpc-timeout in every unit", () => {
    expect(parseTimeout("2H")).toBe(7_200_000);
    expect(parseTimeout("3M")).toBe(180_000);
    expect(parseTimeout("5S")).toBe(5_000);
    expect(parseTimeout("250m")).toBe(250);
    expect(parseTimeout("1500u")).toBeCloseTo(1.5);
    expect(parseTimeout("2000000n")).toBeCloseTo(2);
    expect(parseTimeout("99999999m")).toBe(99_999_999);
    expect(parseTimeout(undefined)).toBeUndefined();
  });

  it("refuses a malformed grpc-timeout with INTERNAL naming the value", () => {
    for (const value of ["", "5", "5s", "123456789m", "-1S", "1.5S", " 5S"]) {
      const error = (() => {
        try {
          parseTimeout(value);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, value).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.Internal);
      expect((error as ConnectError).rawMessage).toContain(`"${value}"`);
    }
  });

  it("accepts only the protobuf gRPC content types", () => {
    expect(isProtoContentType("application/grpc")).toBe(true);
    expect(isProtoContentType("application/grpc+proto")).toBe(true);
    expect(isProtoContentType("Application/GRPC+proto; charset=utf-8")).toBe(true);
    expect(isProtoContentType("application/grpc+json")).toBe(false);
    expect(isProtoContentType("application/grpc-web")).toBe(false);
    expect(isProtoContentType("application/json")).toBe(false);
    expect(isProtoContentType(undefined)).toBe(false);
  });

  it("takes the first of repeated metadata values and ignores empty ones", () => {
    expect(metadataText({ "x-request-id": ["a", "b"] } as never, "x-request-id")).toBe("a");
    expect(metadataText({ "x-request-id": "" }, "x-request-id")).toBeUndefined();
    expect(metadataText({}, "x-request-id")).toBeUndefined();
  });
});
