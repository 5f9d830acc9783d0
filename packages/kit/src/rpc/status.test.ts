import { fromBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { StatusSchema } from "@shopmesh/contracts/google/rpc/status_pb";
import { describe, expect, it } from "vitest";
import { encodeStatusDetails, invalidArgument } from "./errors.ts";
import { encodeGrpcMessage, errorTrailers } from "./status.ts";

describe("gRPC status trailers", () => {
  it("percent-encodes grpc-message: non-ASCII, controls and % only", () => {
    expect(encodeGrpcMessage("plain message: ok (1/2)")).toBe("plain message: ok (1/2)");
    expect(encodeGrpcMessage("100% done")).toBe("100%25 done");
    expect(encodeGrpcMessage("café\nnext")).toBe("caf%C3%A9%0Anext");
    expect(decodeURIComponent(encodeGrpcMessage("naïve ✓ 100%\t"))).toBe("naïve ✓ 100%\t");
  });

  it("carries code, message and unpadded base64 google.rpc.Status details", () => {
    const error = invalidArgument([{ field: "email", description: "must be an email" }]);
    const trailers = errorTrailers(error.code, error.rawMessage, encodeStatusDetails(error));
    expect(trailers["grpc-status"]).toBe(String(Code.InvalidArgument));
    expect(trailers["grpc-message"]).toBe("email: must be an email");
    const details = trailers["grpc-status-details-bin"] as string;
    expect(details).not.toMatch(/=$/);
    const status = fromBinary(StatusSchema, Buffer.from(details, "base64"));
    expect(status.code).toBe(Code.InvalidArgument);
    expect(status.details[0]?.typeUrl).toBe("type.googleapis.com/google.rpc.BadRequest");
  });

  it("leaves out grpc-message and details when there are none", () => {
    expect(errorTrailers(Code.NotFound, "")).toEqual({ "grpc-status": "5" });
  });
});
