import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

describe("security headers", () => {
  it("allows scripts by nonce (and what nonced scripts load) when there is one, never inline or eval then", () => {
    const directives = contentSecurityPolicy({ nonce: "abc123==" }).split("; ");
    expect(directives.find((directive) => directive.startsWith("script-src "))).toBe("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(directives.join("; ")).not.toContain("unsafe-eval");
  });

  it("falls back to 'unsafe-inline' scripts without a nonce, and adds 'unsafe-eval' only for next dev", () => {
    expect(contentSecurityPolicy()).toContain("script-src 'self' 'unsafe-inline';");
    expect(contentSecurityPolicy({ dev: true })).toContain("script-src 'self' 'unsafe-inline' 'unsafe-eval';");
  });

  it("forbids framing, plugins and foreign base URLs in every variant", () => {
    for (const policy of [contentSecurityPolicy(), contentSecurityPolicy({ nonce: "n" }), contentSecurityPolicy({ dev: true })]) {
      for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "default-src 'self'"])
        expect(policy).toContain(directive);
    }
  });

  it("sends nosniff, a same-origin referrer policy and X-Frame-Options DENY", () => {
    expect(Object.fromEntries(securityHeaders())).toMatchObject({
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
      "x-frame-options": "DENY",
    });
  });
});
