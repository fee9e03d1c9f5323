import { describe, expect, it } from "vitest";
import { checkCsrf, type CsrfRequest } from "./csrf";

const ok: CsrfRequest = {
  method: "POST",
  contentType: "application/json",
  origin: "http://localhost:3000",
  host: "localhost:3000",
  csrfHeader: null,
};

describe("admin CSRF check", () => {
  it("accepts a same-origin JSON POST or DELETE", () => {
    expect(checkCsrf(ok)).toEqual({ ok: true });
    expect(checkCsrf({ ...ok, method: "DELETE", contentType: "application/json; charset=utf-8" })).toEqual({ ok: true });
  });

  it("refuses other methods with 405", () => {
    expect(checkCsrf({ ...ok, method: "GET" })).toMatchObject({ ok: false, status: 405 });
    expect(checkCsrf({ ...ok, method: "PUT" })).toMatchObject({ ok: false, status: 405 });
  });

  it("refuses what an HTML form can send (urlencoded, multipart, text/plain) with 415", () => {
    for (const contentType of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", null]) {
      expect(checkCsrf({ ...ok, contentType })).toMatchObject({ ok: false, status: 415 });
    }
  });

  it("refuses another origin, a look-alike host, and the opaque origin with 403", () => {
    for (const origin of ["https://evil.example", "http://localhost:3001", "http://localhost:3000.evil.example", "null"]) {
      expect(checkCsrf({ ...ok, origin })).toMatchObject({ ok: false, status: 403 });
    }
  });

  it("refuses a request without Origin unless it carries the custom header", () => {
    expect(checkCsrf({ ...ok, origin: null })).toMatchObject({ ok: false, status: 403 });
    expect(checkCsrf({ ...ok, origin: null, csrfHeader: "1" })).toEqual({ ok: true });
  });

  it("does not let the custom header override a foreign Origin", () => {
    expect(checkCsrf({ ...ok, origin: "https://evil.example", csrfHeader: "1" })).toMatchObject({ ok: false, status: 403 });
  });
});
