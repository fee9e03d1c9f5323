"use client";
// Volatility models: per symbol the newest trained version and its fit metrics, with a retrain
// button per symbol and one for all (each enqueues a train-volatility job).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { ModelsView } from "../../../server/admin/list-vol-models";
import { adminGet, adminSend } from "../lib/admin-api";
import { formatCount, formatInstant, formatMetric } from "../lib/format-admin";
import { Empty, ErrorAlert, Loading } from "./states";

export function ModelsPanel() {
  const queryClient = useQueryClient();
  const models = useQuery({
    queryKey: ["admin", "models"],
    queryFn: () => adminGet<ModelsView>("/api/admin/models"),
    refetchInterval: 15_000,
    retry: 1,
  });
  const [started, setStarted] = useState<{ id: string; what: string } | null>(null);
  const retrain = useMutation({
    mutationFn: (symbols: string[] | null) =>
      adminSend<{ id: string }>("/api/admin/jobs", { name: "train-volatility", data: symbols ? { symbols } : {} }).then((r) => ({
        ...r,
        what: symbols ? symbols.join(", ") : "all symbols",
      })),
    onSuccess: async (result) => {
      setStarted(result);
      await queryClient.invalidateQueries({ queryKey: ["admin", "queue"] });
    },
  });

  return (
    <>
      <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
        <h1 className="h4 mb-0">Models</h1>
        <span className="small text-body-secondary">HAR-RV volatility, newest version per symbol</span>
        <button
          type="button"
          className="btn btn-sm btn-primary ms-auto"
          disabled={retrain.isPending}
          onClick={() => retrain.mutate(null)}
          data-testid="retrain-all"
        >
          Retrain all
        </button>
      </div>
      {started && (
        <div className="alert alert-info py-2 small" role="status" data-testid="retrain-started">
          Training job for {started.what} enqueued: <Link href={`/admin/jobs/${encodeURIComponent(started.id)}`}>#{started.id}</Link>
        </div>
      )}
      {retrain.isError && <div className="alert alert-danger py-2 small">{retrain.error.message}</div>}
      {models.isPending ? (
        <Loading what="models" />
      ) : models.isError ? (
        <ErrorAlert error={models.error} what="models" />
      ) : models.data.symbols.length === 0 ? (
        <Empty>No symbols yet.</Empty>
      ) : (
        <>
          <p className="small text-body-secondary mb-1">
            {models.data.withModel} of {models.data.symbols.length} symbols have a model{models.data.truncated ? " (list truncated)" : ""}.
          </p>
          <div className="table-responsive">
            <table className="table table-sm small align-middle" data-testid="models-table">
              <thead>
                <tr>
                  <th>Symbol</th>
                  <th>Version (trained at)</th>
                  <th>Model</th>
                  <th>Training window</th>
                  <th className="text-end">Obs</th>
                  <th className="text-end">R²</th>
                  <th className="text-end">QLIKE</th>
                  <th className="text-end">Naive QLIKE</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {models.data.symbols.map(({ symbol, latest }) => (
                  <tr key={symbol} data-testid="model-row">
                    <td className="fw-semibold">{symbol}</td>
                    {latest ? (
                      <>
                        <td>
                          {formatInstant(latest.trainedAtMs ?? Number(latest.version))}
                          <div className="text-body-secondary">v{latest.version}</div>
                        </td>
                        <td>{latest.model ?? "—"}</td>
                        <td className="text-nowrap">
                          {formatInstant(latest.trainFromMs).slice(0, 10)} – {formatInstant(latest.trainToMs).slice(0, 10)}
                        </td>
                        <td className="text-end">{formatCount(latest.nObs)}</td>
                        <td className="text-end">{formatMetric(latest.r2)}</td>
                        <td
                          className={`text-end${latest.inSampleQlike !== null && latest.naiveQlike !== null && latest.inSampleQlike < latest.naiveQlike ? " text-success" : ""}`}
                        >
                          {formatMetric(latest.inSampleQlike)}
                        </td>
                        <td className="text-end">{formatMetric(latest.naiveQlike)}</td>
                      </>
                    ) : (
                      <td colSpan={7} className="text-body-secondary fst-italic">
                        no model yet
                      </td>
                    )}
                    <td>
                      <button
                        type="button"
                        className="btn btn-sm btn-outline-primary"
                        disabled={retrain.isPending}
                        onClick={() => retrain.mutate([symbol])}
                      >
                        Retrain
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
