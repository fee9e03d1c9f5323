"use client";
// Client-side data plumbing shared by every page: one QueryClient and one tRPC client per tab.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { useState, type ReactNode } from "react";
import { z } from "zod";
import { DASHBOARD_TRPC_BATCH_CALLS } from "../core/api-limits";
import type { AppRouter } from "../server/routers/app-router";
import { TRPCProvider } from "./lib/trpc";

// Zod compiles object parsers with `new Function` after probing for it; under the pages' CSP (no
// 'unsafe-eval') the probe fails quietly but the browser still reports a violation. The browser
// parses without the JIT.
if (typeof window !== "undefined") z.config({ jitless: true });

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 5_000,
            refetchOnWindowFocus: false,
            // A 4xx will not get better by asking again; a 503 (database restarting) may.
            retry: (failures, error) =>
              failures < 3 && !/^(BAD_REQUEST|NOT_FOUND)$/.test((error as { data?: { code?: string } }).data?.code ?? ""),
          },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", maxItems: DASHBOARD_TRPC_BATCH_CALLS })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
