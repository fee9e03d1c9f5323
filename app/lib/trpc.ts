// The browser's typed tRPC client context (types only come from the server; no server code ships).
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "../../server/routers/app-router";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
