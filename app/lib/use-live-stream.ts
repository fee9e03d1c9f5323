"use client";
// One EventSource per page for live updates, its visible state, and delivery of the conflated
// updates once per animation frame. The browser resends Last-Event-ID when it reconnects by itself;
// when it gives up (the server answered an error), we reconnect with the last id in the query.
import { useEffect, useRef, useState } from "react";
import { LIVE_EVENT_TYPES, LiveBatch, type DrainedBatch } from "./live-batch";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "off";

export interface LiveQuery {
  symbols?: readonly string[];
  intervals?: readonly string[];
  types?: readonly string[];
}

export function liveStreamUrl(query: LiveQuery, lastEventId?: string): string {
  const params = new URLSearchParams();
  if (query.symbols?.length) params.set("symbols", query.symbols.join(","));
  if (query.intervals?.length) params.set("intervals", query.intervals.join(","));
  if (query.types?.length) params.set("types", query.types.join(","));
  if (lastEventId) params.set("lastEventId", lastEventId);
  const text = params.toString();
  return `/api/stream${text ? `?${text}` : ""}`;
}

const MAX_BACKOFF_MS = 15_000;

/**
 * Subscribes while `query` is not null; `onBatch` gets the updates of each frame, and `onReconnect`
 * is called when the stream comes back after a drop (to fill history around the gap).
 */
export function useLiveStream(query: LiveQuery | null, onBatch: (batch: DrainedBatch) => void, onReconnect?: () => void): ConnectionState {
  const [state, setState] = useState<ConnectionState>(query ? "connecting" : "off");
  const onBatchRef = useRef(onBatch);
  const onReconnectRef = useRef(onReconnect);
  useEffect(() => {
    onBatchRef.current = onBatch;
    onReconnectRef.current = onReconnect;
  });
  const key = query ? liveStreamUrl(query) : null;

  useEffect(() => {
    if (key === null) {
      setState("off");
      return;
    }
    const batch = new LiveBatch();
    let source: EventSource | undefined;
    let frame: number | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let lastEventId: string | undefined;
    let failures = 0;
    let dropped = false;
    let stopped = false;

    const flush = () => {
      frame = undefined;
      if (!batch.isEmpty) onBatchRef.current(batch.drain());
    };
    const schedule = () => {
      frame ??= requestAnimationFrame(flush);
    };

    const connect = () => {
      const url = lastEventId ? `${key}${key.includes("?") ? "&" : "?"}lastEventId=${encodeURIComponent(lastEventId)}` : key;
      const es = new EventSource(url);
      source = es;
      es.onopen = () => {
        failures = 0;
        setState("live");
        if (dropped) {
          dropped = false;
          onReconnectRef.current?.();
        }
      };
      es.onerror = () => {
        dropped = true;
        setState("reconnecting");
        if (es.readyState === EventSource.CLOSED && !stopped) {
          // The browser gave up (an HTTP error): retry ourselves, backing off.
          failures++;
          retryTimer = setTimeout(connect, Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures));
        }
      };
      for (const type of LIVE_EVENT_TYPES) {
        es.addEventListener(type, (event: MessageEvent<string>) => {
          if (event.lastEventId) lastEventId = event.lastEventId;
          if (batch.put(type, event.data)) schedule();
        });
      }
      // "ready" carries the position the stream is caught up to: resuming from it loses nothing
      // published after it, even for a client that has not received an update yet.
      es.addEventListener("ready", (event: MessageEvent<string>) => {
        if (event.lastEventId) lastEventId = event.lastEventId;
      });
      es.addEventListener("snapshot-required", (event: MessageEvent<string>) => {
        if (event.lastEventId) lastEventId = event.lastEventId;
        batch.requireSnapshot();
        schedule();
      });
    };

    setState("connecting");
    connect();
    return () => {
      stopped = true;
      source?.close();
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
    };
  }, [key]);

  return state;
}
