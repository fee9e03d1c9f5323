import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getConfig } from "../../../../adapters/config";
import { createLogger } from "../../../../adapters/logger";
import { getQueryContext } from "../../../../server/context";
import { limitRequestBody } from "../../../../server/http/read-body";
import { checkTrpcBatchSize } from "../../../../server/http/trpc-batch-limit";
import { getIngestContext } from "../../../../server/ingest/ingest-context";
import { appRouter } from "../../../../server/routers/app-router";

export const dynamic = "force-dynamic";

const log = createLogger("trpc");

const ENDPOINT = "/api/trpc";

function handler(request: Request): Promise<Response> {
  const config = getConfig();
  const tooLarge = checkTrpcBatchSize(request, ENDPOINT, config.api.trpcMaxBatchSize);
  if (tooLarge) return Promise.resolve(tooLarge);
  // tRPC reads bodies whole: cap them like the REST ingest does (a TRPCError keeps its 413).
  const req = limitRequestBody(
    request,
    config.ingest.maxBodyBytes,
    (error) => new TRPCError({ code: error.trpcCode, message: error.message, cause: error }),
  );
  return fetchRequestHandler({
    endpoint: ENDPOINT,
    req,
    // Also tRPC's own check, should the paths ever reach it another way.
    maxBatchSize: config.api.trpcMaxBatchSize,
    router: appRouter,
    createContext: ({ req: { headers } }) => ({ db: getQueryContext, headers, ingest: getIngestContext() }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR" || error.code === "SERVICE_UNAVAILABLE")
        log.error({ err: error.cause ?? error, path }, error.message);
    },
  });
}

export { handler as GET, handler as POST };
