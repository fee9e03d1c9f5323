import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createLogger } from "../../../../adapters/logger";
import { getQueryContext } from "../../../../server/context";
import { appRouter } from "../../../../server/routers/app-router";

export const dynamic = "force-dynamic";

const log = createLogger("trpc");

function handler(request: Request): Promise<Response> {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => ({ db: getQueryContext }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR" || error.code === "SERVICE_UNAVAILABLE") log.error({ err: error.cause ?? error, path }, error.message);
    },
  });
}

export { handler as GET, handler as POST };
