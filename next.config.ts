import type { NextConfig } from "next";
import { getConfig } from "./adapters/config";

// Validate the environment when the web process builds or starts, not on first request.
getConfig();

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-side clients with native or dynamic requires: load them from node_modules as they are.
  serverExternalPackages: ["kafkajs", "cassandra-driver", "bullmq", "ioredis", "pino", "pino-pretty", "prom-client"],
};

export default nextConfig;
