// tRPC base: the one place procedures are built from. Errors of any kind leave as AppError-shaped
// data (code, retriable, field errors), with the same HTTP status the REST mirror gives them.
import { initTRPC, TRPCError } from "@trpc/server";
import type { QueryContext } from "./context";
import { toAppError } from "./errors";
import { getApiKeyCheck, requireApiKey } from "./ingest/api-key";
import type { IngestContext } from "./ingest/ingest-context";

export interface TrpcContext {
  /**
   * The Cassandra context, resolved by the resolver after input validation: a bad input is a 400
   * even while the database is down.
   */
  db: () => Promise<QueryContext>;
  /** Request headers; absent (in-process callers) means no credentials. */
  headers?: Headers;
  /** The Kafka side of ingest; absent means the process-wide one. */
  ingest?: IngestContext;
}

const t = initTRPC.context<TrpcContext>().create({
  errorFormatter({ shape, error }) {
    const appError = toAppError(error);
    return {
      ...shape,
      message: appError.message,
      data: { ...shape.data, appCode: appError.code, retriable: appError.retriable, fields: appError.fields ?? null },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// Re-throws an AppError as the TRPCError of its mapped code, so the HTTP status matches REST.
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const appError = toAppError(result.error);
    throw new TRPCError({ code: appError.trpcCode, message: appError.message, cause: appError });
  }
  return result;
});

/** Every public procedure: unauthenticated, with AppError mapping. */
export const publicProcedure = t.procedure.use(mapAppErrors);

/**
 * Procedures that need an API key in the `x-api-key` header (401 otherwise). The key is checked
 * before the input is read, so an unauthenticated caller never gets its body parsed.
 */
export const apiKeyProcedure = publicProcedure.use(({ ctx, next }) => {
  requireApiKey(ctx.headers, getApiKeyCheck());
  return next();
});
