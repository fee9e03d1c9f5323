import cassandra from "cassandra-driver";
import { describe, expect, it } from "vitest";
import { classifyFailure } from "./stream-failures";

describe("classifyFailure", () => {
  it("retries what a server being down, slow or overloaded raises", () => {
    expect(classifyFailure(new cassandra.errors.NoHostAvailableError({}))).toBe("retriable");
    expect(classifyFailure(new cassandra.errors.OperationTimedOutError("timed out"))).toBe("retriable");
    expect(classifyFailure(new cassandra.errors.ResponseError(cassandra.types.responseErrorCodes.writeTimeout, "write timeout"))).toBe(
      "retriable",
    );
    expect(
      classifyFailure(new cassandra.errors.ResponseError(cassandra.types.responseErrorCodes.unavailableException, "unavailable")),
    ).toBe("retriable");
    expect(classifyFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe("retriable");
    expect(classifyFailure(Object.assign(new Error("broker gone"), { name: "KafkaJSConnectionError", retriable: true }))).toBe("retriable");
  });

  it("gives up on what retrying cannot fix: bad statements, credentials, bugs", () => {
    expect(
      classifyFailure(new cassandra.errors.ResponseError(cassandra.types.responseErrorCodes.invalid, "unconfigured table trades")),
    ).toBe("fatal");
    expect(classifyFailure(new cassandra.errors.ResponseError(cassandra.types.responseErrorCodes.unauthorized, "no permission"))).toBe(
      "fatal",
    );
    expect(classifyFailure(Object.assign(new Error("message too large"), { name: "KafkaJSProtocolError", retriable: false }))).toBe(
      "fatal",
    );
    expect(classifyFailure(new TypeError("cannot read properties of undefined"))).toBe("fatal");
  });
});
