import { describe, expect, it } from "vitest";
import { etagMatches, negotiateEncoding } from "./negotiate";

describe("negotiateEncoding", () => {
  it("prefers brotli, then gzip, at equal weight", () => {
    expect(negotiateEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(negotiateEncoding("gzip, deflate")).toBe("gzip");
    expect(negotiateEncoding("x-gzip")).toBe("gzip");
  });
  it("follows q-values and refusals", () => {
    expect(negotiateEncoding("br;q=0.5, gzip;q=0.8")).toBe("gzip");
    expect(negotiateEncoding("br;q=0, gzip")).toBe("gzip");
    expect(negotiateEncoding("GZIP;Q=1")).toBe("gzip");
  });
  it("sends identity when nothing else is accepted, and nothing when identity is refused too", () => {
    expect(negotiateEncoding(undefined)).toBe("identity");
    expect(negotiateEncoding("")).toBe("identity");
    expect(negotiateEncoding("deflate")).toBe("identity");
    expect(negotiateEncoding("identity;q=0")).toBeNull();
    expect(negotiateEncoding("*;q=0")).toBeNull();
    expect(negotiateEncoding("*")).toBe("br");
  });
});

describe("etagMatches", () => {
  const etag = 'W/"abc"';
  it("compares weakly, in a list, or by *", () => {
    expect(etagMatches('W/"abc"', etag)).toBe(true);
    expect(etagMatches('"abc"', etag)).toBe(true);
    expect(etagMatches('"x", W/"abc"', etag)).toBe(true);
    expect(etagMatches("*", etag)).toBe(true);
  });
  it("does not match another tag or no header", () => {
    expect(etagMatches('W/"abd"', etag)).toBe(false);
    expect(etagMatches(null, etag)).toBe(false);
  });
});
