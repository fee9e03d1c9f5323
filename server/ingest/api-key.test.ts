import { describe, expect, it } from "vitest";
import type { AppError } from "../errors";
import { API_KEY_HEADER, createApiKeyCheck, requireApiKey } from "./api-key";

describe("createApiKeyCheck", () => {
  const check = createApiKeyCheck(["first-key-0123456789", "second-key"]);

  it("accepts every configured key", () => {
    expect(check("first-key-0123456789")).toBe(true);
    expect(check("second-key")).toBe(true);
  });

  it("refuses a wrong key, a prefix, a longer key, a different case, an empty and an absent one", () => {
    for (const presented of ["wrong", "second", "second-key ", "second-key-and-more", "SECOND-KEY", "", null, undefined]) {
      expect(check(presented), String(presented)).toBe(false);
    }
  });

  it("refuses everything when no key is configured", () => {
    const none = createApiKeyCheck([]);
    expect(none("")).toBe(false);
    expect(none("anything")).toBe(false);
  });
});

describe("requireApiKey", () => {
  const check = createApiKeyCheck(["k1"]);
  const thrown = (headers?: Headers): AppError | undefined => {
    try {
      requireApiKey(headers, check);
      return undefined;
    } catch (error) {
      return error as AppError;
    }
  };

  it(`passes with a valid key in the ${API_KEY_HEADER} header, whatever the header's case`, () => {
    expect(thrown(new Headers({ "X-API-Key": "k1" }))).toBeUndefined();
  });

  it("answers 401, not retriable, for a missing or wrong key, saying which", () => {
    expect(thrown(new Headers())).toMatchObject({ code: "UNAUTHORIZED", status: 401, retriable: false });
    expect(thrown(new Headers())?.message).toMatch(/missing/);
    expect(thrown(undefined)).toMatchObject({ code: "UNAUTHORIZED" });
    expect(thrown(new Headers({ "x-api-key": "k2" }))?.message).toMatch(/no valid key/);
    expect(thrown(new Headers({ authorization: "Bearer k1" }))?.code).toBe("UNAUTHORIZED");
  });
});
