import { z } from "zod";
import { getConfig } from "../../adapters/config";
import type { TickKind } from "../../core/schemas";
import { getIngestContext } from "../ingest/ingest-context";
import { ingestTicks, type TickOf } from "../ingest/ingest-ticks";
import { apiKeyProcedure, router, type TrpcContext } from "../trpc";

// The input type only types the client: ingestTicks validates, so tRPC and REST answer bad input
// alike (413 over INGEST_MAX_TICKS, 400 with `[index].field` errors, all-or-nothing).
const batchOf = <K extends TickKind>() => z.custom<TickOf<K>[]>();

const ingest = <K extends TickKind>(ctx: TrpcContext, kind: K, input: unknown) =>
  ingestTicks(ctx.ingest ?? getIngestContext(), kind, input, getConfig().ingest.maxTicks);

export const ingestRouter = router({
  trades: apiKeyProcedure.input(batchOf<"trades">()).mutation(({ ctx, input }) => ingest(ctx, "trades", input)),
  quotes: apiKeyProcedure.input(batchOf<"quotes">()).mutation(({ ctx, input }) => ingest(ctx, "quotes", input)),
  prices: apiKeyProcedure.input(batchOf<"prices">()).mutation(({ ctx, input }) => ingest(ctx, "prices", input)),
});
