"use client";
// Live service health: first paint from the server, then refreshed from /api/health.
import { useEffect, useState } from "react";
import type { HealthReport } from "../server/health/get-service-health";

const REFRESH_MS = 5_000;

export function ServiceHealthPanel({ initial }: { initial: HealthReport }) {
  const [report, setReport] = useState(initial);
  const [fetchError, setFetchError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const refresh = async () => {
      try {
        const response = await fetch("/api/health", { cache: "no-store" });
        const body = (await response.json()) as HealthReport;
        if (!cancelled) {
          setReport(body);
          setFetchError(null);
        }
      } catch (error) {
        if (!cancelled) setFetchError(error instanceof Error ? error.message : String(error));
      }
    };
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <section aria-labelledby="services-heading">
      <h2 id="services-heading" className="h5">
        Services{" "}
        <span className={`badge ${report.ok ? "text-bg-success" : "text-bg-danger"}`} data-testid="overall-health">
          {report.ok ? "all healthy" : "degraded"}
        </span>
      </h2>
      {fetchError && <div className="alert alert-warning py-1">Health refresh failed: {fetchError}</div>}
      <div className="row g-2">
        {report.services.map((service) => (
          <div className="col-12 col-sm-6 col-xl-3" key={service.service}>
            <div className={`card h-100 border-${service.ok ? "success" : "danger"}`} data-testid={`service-${service.service}`}>
              <div className="card-body py-2">
                <div className="d-flex justify-content-between align-items-center">
                  <span className="fw-semibold text-capitalize">{service.service}</span>
                  <span className={`badge ${service.ok ? "text-bg-success" : "text-bg-danger"}`} data-testid="status">
                    {service.ok ? "healthy" : "down"}
                  </span>
                </div>
                <div className="small text-body-secondary text-truncate" title={service.endpoint}>
                  {service.endpoint}
                </div>
                <div className="small text-break">{service.detail}</div>
                <div className="small text-body-secondary">{service.latencyMs} ms</div>
              </div>
            </div>
          </div>
        ))}
      </div>
      <p className="small text-body-secondary mt-2">Checked {new Date(report.checkedAt).toLocaleTimeString()}</p>
    </section>
  );
}
