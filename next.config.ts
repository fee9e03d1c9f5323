import type { NextConfig } from "next";
import { getConfig } from "./adapters/config";
import { CSP_NONCE_HEADER, securityHeaders } from "./server/http/security-headers";

// Validate the environment when the web process builds or starts, not on first request.
const config = getConfig();

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The security headers when Next serves without the web server (`next dev`, `next start`), which
  // otherwise sets them itself with a script nonce per page and marks the request with it.
  headers() {
    return Promise.resolve([
      {
        source: "/:path*",
        missing: [{ type: "header" as const, key: CSP_NONCE_HEADER }],
        headers: securityHeaders({ dev: config.env === "development" }).map(([key, value]) => ({ key, value })),
      },
    ]);
  },
  // Server-side clients with native or dynamic requires: load them from node_modules as they are.
  serverExternalPackages: ["kafkajs", "cassandra-driver", "bullmq", "ioredis", "pino", "pino-pretty", "prom-client"],
};

export default nextConfig;
