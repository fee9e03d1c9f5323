// The security headers of every response, defined once: the web server (web-front.ts) sets them on
// everything it serves, with a fresh script nonce per page request; next.config.ts `headers()` sets
// the nonce-less variant when Next runs without the web server (`next dev`, `next start`). Pure.

/** The request header carrying the page's script nonce (set by the web server, read by the root layout). */
export const CSP_NONCE_HEADER = "x-tickstream-csp-nonce";

export interface CspOptions {
  /**
   * The script nonce of this response. Next reads it from the request's CSP header and puts it on
   * its own scripts; without one, inline scripts need 'unsafe-inline'.
   */
  nonce?: string;
  /** `next dev`: React's dev build evaluates code ('unsafe-eval'). */
  dev?: boolean;
}

/** The Content-Security-Policy value. */
export function contentSecurityPolicy({ nonce, dev = false }: CspOptions = {}): string {
  // With a nonce, 'strict-dynamic' lets Next's nonced loader add its chunks ('self' is then only
  // the fallback of browsers without CSP 3).
  const scripts = nonce === undefined ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"];
  if (dev) scripts.push("'unsafe-eval'");
  return [
    "default-src 'self'",
    `script-src ${scripts.join(" ")}`,
    // React renders style attributes (style={{…}}) and Next may inline critical CSS.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Every security header as [name, value] pairs. */
export function securityHeaders(options: CspOptions = {}): Array<[name: string, value: string]> {
  return [
    ["content-security-policy", contentSecurityPolicy(options)],
    ["x-content-type-options", "nosniff"],
    // No URL of the app (symbols a trader looks at, admin paths) leaves for other sites.
    ["referrer-policy", "same-origin"],
    // For browsers without CSP frame-ancestors.
    ["x-frame-options", "DENY"],
    ["cross-origin-opener-policy", "same-origin"],
  ];
}
