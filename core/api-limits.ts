// Limits shared by the web API and its own clients, so the dashboard never sends what the server refuses.

/**
 * Most calls the dashboard's tRPC client puts in one batch request (its link's `maxItems`); the
 * server's `TRPC_MAX_BATCH_SIZE` may not be lower.
 */
export const DASHBOARD_TRPC_BATCH_CALLS = 10;
