// tRPC base: the one place procedures are built from. Errors of any kind leave as AppError-shaped
// data (code, retriable, field errors), with the same HTTP status the REST mirror gives them.
import { initTRPC, TRPCError } from "@trpc/server";
import type { QueryContext } from "./context";
import { toAppError } from "./errors";

export interface TrpcContext {
  /**
   * The Cassandra context, resolved by the resolver after input validation: a bad input is a 400
   * even while the database is down.
   */
  db: () => Promise<QueryContext>;
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
