"use client";
// The HDFS archive: kind → days → symbols (rows and bytes from each manifest) → files. The place
// in the tree is kept in the URL so a view can be linked.
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ArchiveListing } from "../../../server/admin/browse-archive";
import { adminGet } from "../lib/admin-api";
import { formatBytes, formatCount, formatInstant } from "../lib/format-admin";
import { Empty, ErrorAlert, Loading } from "./states";

export interface ArchivePlace {
  kind: "trades" | "quotes";
  day?: string | undefined;
  symbol?: string | undefined;
}

function query(place: ArchivePlace): string {
  const params = new URLSearchParams({ kind: place.kind });
  if (place.day) params.set("day", place.day);
  if (place.day && place.symbol) params.set("symbol", place.symbol);
  return params.toString();
}

export function ArchiveBrowser({ initial }: { initial: ArchivePlace }) {
  const router = useRouter();
  const [place, setPlace] = useState<ArchivePlace>(initial);
  const go = (next: ArchivePlace) => {
    setPlace(next);
    router.replace(`/admin/archive?${query(next)}`, { scroll: false });
  };
  const listing = useQuery({
    queryKey: ["admin", "archive", query(place)],
    queryFn: () => adminGet<ArchiveListing>(`/api/admin/archive?${query(place)}`),
    retry: 1,
  });

  return (
    <>
      <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
        <h1 className="h4 mb-0">Archive</h1>
        <div className="btn-group btn-group-sm" role="group" aria-label="Kind">
          {(["trades", "quotes"] as const).map((kind) => (
            <button
              key={kind}
              type="button"
              className={`btn ${place.kind === kind ? "btn-primary" : "btn-outline-primary"}`}
              onClick={() => go({ kind })}
            >
              {kind}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="btn btn-sm btn-outline-secondary ms-auto"
          onClick={() => void listing.refetch()}
          disabled={listing.isFetching}
        >
          Refresh
        </button>
      </div>
      <nav aria-label="breadcrumb">
        <ol className="breadcrumb small mb-2" data-testid="archive-breadcrumb">
          <li className="breadcrumb-item">
            <button type="button" className="btn btn-link btn-sm p-0 align-baseline" onClick={() => go({ kind: place.kind })}>
              {place.kind}
            </button>
          </li>
          {place.day && (
            <li className="breadcrumb-item">
              <button
                type="button"
                className="btn btn-link btn-sm p-0 align-baseline"
                onClick={() => go({ kind: place.kind, day: place.day })}
              >
                date={place.day}
              </button>
            </li>
          )}
          {place.day && place.symbol && <li className="breadcrumb-item active">symbol={place.symbol}</li>}
        </ol>
      </nav>
      {listing.isPending ? (
        <Loading what="the archive" />
      ) : listing.isError ? (
        <ErrorAlert error={listing.error} what="the archive" />
      ) : (
        <Listing listing={listing.data} go={go} />
      )}
    </>
  );
}

function Listing({ listing, go }: { listing: ArchiveListing; go: (place: ArchivePlace) => void }) {
  const kind = listing.kind as ArchivePlace["kind"];
  const path = <p className="small text-body-secondary mb-1 text-break">{listing.path}</p>;
  if (listing.level === "days") {
    if (listing.days.length === 0)
      return <Empty>Nothing archived yet: {listing.path} is empty or missing. Run an archive job from Jobs.</Empty>;
    return (
      <>
        {path}
        <ul className="list-group" data-testid="archive-days">
          {listing.days.map((d) => (
            <li key={d.day} className="list-group-item d-flex justify-content-between align-items-center">
              <button type="button" className="btn btn-link p-0" onClick={() => go({ kind, day: d.day })}>
                {d.day}
              </button>
              <span className="small text-body-secondary">{formatInstant(d.modifiedAtMs)}</span>
            </li>
          ))}
        </ul>
        {listing.truncated && <p className="small text-body-secondary">Only the newest days are shown.</p>}
      </>
    );
  }
  if (listing.level === "symbols") {
    if (listing.symbols.length === 0) return <Empty>No symbols archived for {listing.day}.</Empty>;
    return (
      <>
        {path}
        <div className="table-responsive">
          <table className="table table-sm small" data-testid="archive-symbols">
            <thead>
              <tr>
                <th>Symbol</th>
                <th className="text-end">Rows</th>
                <th className="text-end">Parquet size</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {listing.symbols.map((s) => (
                <tr key={s.symbol}>
                  <td>
                    <button
                      type="button"
                      className="btn btn-link btn-sm p-0"
                      onClick={() => go({ kind, day: listing.day, symbol: s.symbol })}
                    >
                      {s.symbol}
                    </button>
                  </td>
                  <td className="text-end">{formatCount(s.rows)}</td>
                  <td className="text-end">{formatBytes(s.bytes)}</td>
                  <td className="text-body-secondary">{s.manifestError ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {listing.truncated && <p className="small text-body-secondary">Only the first symbols are shown.</p>}
      </>
    );
  }
  return (
    <>
      {path}
      {listing.files.length === 0 ? (
        <Empty>No files in {listing.path}.</Empty>
      ) : (
        <div className="table-responsive">
          <table className="table table-sm small" data-testid="archive-files">
            <thead>
              <tr>
                <th>File</th>
                <th className="text-end">Size</th>
                <th>Written</th>
              </tr>
            </thead>
            <tbody>
              {listing.files.map((f) => (
                <tr key={f.name}>
                  <td className="text-break">{f.name}</td>
                  <td className="text-end">{formatBytes(f.bytes)}</td>
                  <td>{formatInstant(f.modifiedAtMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {listing.manifest ? (
        <dl className="row small" data-testid="archive-manifest">
          <dt className="col-5 col-md-2">Rows</dt>
          <dd className="col-7 col-md-4" data-testid="archive-rows">
            {formatCount(listing.manifest.rows)}
          </dd>
          <dt className="col-5 col-md-2">Bytes</dt>
          <dd className="col-7 col-md-4">{formatBytes(listing.manifest.bytes)}</dd>
          <dt className="col-5 col-md-2">Event time</dt>
          <dd className="col-7 col-md-4">
            {formatInstant(listing.manifest.minTs)} – {formatInstant(listing.manifest.maxTs)}
          </dd>
          <dt className="col-5 col-md-2">Written</dt>
          <dd className="col-7 col-md-4">{formatInstant(listing.manifest.writtenAtMs)}</dd>
          <dt className="col-5 col-md-2">SHA-256</dt>
          <dd className="col-7 col-md-10 text-break">
            <code>{listing.manifest.sha256}</code>
          </dd>
          {listing.manifest.jobId && (
            <>
              <dt className="col-5 col-md-2">Job</dt>
              <dd className="col-7 col-md-10">#{listing.manifest.jobId}</dd>
            </>
          )}
        </dl>
      ) : (
        <p className="small text-body-secondary">Manifest: {listing.manifestError}</p>
      )}
    </>
  );
}
