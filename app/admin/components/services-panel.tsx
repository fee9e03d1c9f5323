"use client";
// Health and versions of the four servers (the same probes as /api/health), refreshed every 5 s.
import { useQuery } from "@tanstack/react-query";
import type { HealthReport } from "../../../server/health/get-service-health";
import { adminGet } from "../lib/admin-api";
import { formatInstant } from "../lib/format-admin";
import { ErrorAlert, Loading } from "./states";

export function ServicesPanel() {
  const report = useQuery({
    queryKey: ["admin", "services"],
    queryFn: () => adminGet<HealthReport>("/api/admin/services"),
    refetchInterval: 5_000,
    retry: 1,
  });
  return (
    <>
      <h1 className="h4">
        Services{" "}
        {report.data && (
          <span className={`badge ${report.data.ok ? "text-bg-success" : "text-bg-danger"}`}>
            {report.data.ok ? "all healthy" : "degraded"}
          </span>
        )}
      </h1>
      {report.isPending ? (
        <Loading what="service health" />
      ) : report.isError ? (
        <ErrorAlert error={report.error} what="service health" />
      ) : (
        <>
          <div className="table-responsive">
            <table className="table table-sm align-middle" data-testid="services-table">
              <thead>
                <tr>
                  <th>Service</th>
                  <th>Status</th>
                  <th>Version / detail</th>
                  <th>Endpoint</th>
                  <th className="text-end">Probe</th>
                </tr>
              </thead>
              <tbody>
                {report.data.services.map((s) => (
                  <tr key={s.service} data-testid={`admin-service-${s.service}`}>
                    <td className="text-capitalize fw-semibold">{s.service}</td>
                    <td>
                      <span className={`badge ${s.ok ? "text-bg-success" : "text-bg-danger"}`}>{s.ok ? "healthy" : "down"}</span>
                    </td>
                    <td className="small text-break">{s.detail}</td>
                    <td className="small text-break">{s.endpoint}</td>
                    <td className="text-end small">{s.latencyMs} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="small text-body-secondary">Checked {formatInstant(Date.parse(report.data.checkedAt))}</p>
        </>
      )}
    </>
  );
}
