import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "../../adapters/config";
import { publishLiveUpdates } from "../../adapters/live-channel";
import { createRedis } from "../../adapters/redis";
import { toSubscription, type PriceUpdate, type LiveUpdate } from "../../core/live-updates";
import { eventually, testLog, uniqueName } from "../../test/helpers";
import { createTestSseHub, SseTestClient } from "../../test/sse-client";
import { openLiveStream } from "./open-live-stream";
import type { SseHub, SseHubOptions } from "./sse-hub";

const config = getConfig();
const redis = createRedis(config.redis.url, "client", testLog);
const keys: string[] = [];
const hubs: SseHub[] = [];
const clients: SseTestClient[] = [];

afterAll(async () => {
  for (const client of clients) await client.cancel().catch(() => undefined);
  for (const hub of hubs) await hub.close();
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function newHub(options: Partial<SseHubOptions> = {}): { hub: SseHub; key: string } {
  const key = uniqueName("test_live");
  keys.push(key);
  const hub = createTestSseHub(key, {
    clientBufferBytes: 256 * 1024,
    conflationMaxKeys: 1_000,
    maxClients: 100,
    readBatch: 100,
    readBlockMs: 5_000,
    ...options,
  });
  hubs.push(hub);
  return { hub, key };
}

function open(stream: ReadableStream<Uint8Array>): SseTestClient {
  const client = new SseTestClient(stream);
  clients.push(client);
  return client;
}

/** A symbol no other run uses (tickers are upper-case letters and digits). */
const uniqueSymbol = () => `T${uniqueName("x").slice(2, 10).toUpperCase()}`;

let seq = 0;
const price = (symbol: string): PriceUpdate => {
  seq++;
  return { type: "price", symbol, ts: 1_718_000_000_000 + seq, last: 100 + seq / 1_000 };
};

const ready = (client: SseTestClient) => client.events.some((e) => e.event === "ready");

describe("SSE hub on the real Redis", () => {
  it("delivers every published update to a subscribed client, in order, and nothing it did not ask for", async () => {
    const { hub, key } = newHub();
    const symbol = uniqueSymbol();
    const client = open(hub.connect(toSubscription({ symbols: [symbol], intervals: ["1m"] })));
    await client.waitFor(ready, "ready");

    const ids: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const updates: LiveUpdate[] = Array.from({ length: 100 }, () => price(symbol));
      updates.push(price("OTHER"), {
        type: "candle",
        symbol,
        interval: "1s",
        windowStart: 0,
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 1,
        vwap: 1,
        tradeCount: 1,
        isFinal: true,
      });
      const published = await publishLiveUpdates(redis, updates, { key });
      ids.push(...published.slice(0, 100));
    }

    await client.waitFor((c) => c.updates.length >= 500, "500 updates");
    expect(client.updates.map((e) => e.id)).toEqual(ids);
    expect(client.updates.every((e) => e.event === "price" && (JSON.parse(e.data) as PriceUpdate).symbol === symbol)).toBe(true);
    expect(hub.stats()).toMatchObject({ clients: 1, conflated: 0, dropped: 0 });
  });

  it("gives a client that reconnects with Last-Event-ID every update it missed, in order, with no duplicates", async () => {
    const { hub, key } = newHub();
    const symbol = uniqueSymbol();
    const published: string[] = [];
    let publishing = true;
    let publisher: Promise<void> | undefined;

    const received: string[] = [];
    let lastEventId: string | undefined;
    for (let round = 0; round < 8; round++) {
      const request = new Request(`http://test/api/stream?symbols=${symbol}`, {
        headers: lastEventId === undefined ? {} : { "last-event-id": lastEventId },
      });
      const client = open(openLiveStream(request, hub).body!);
      if (round === 0) {
        await client.waitFor(ready, "ready");
        // Publishes continuously from now on, so reconnects race with live entries.
        publisher = (async () => {
          while (publishing)
            published.push(
              ...(await publishLiveUpdates(
                redis,
                Array.from({ length: 7 }, () => price(symbol)),
                { key },
              )),
            );
        })();
      }
      const target = received.length + 50 + round * 13;
      await client.waitFor((c) => received.length + c.updates.length >= target, `round ${round} updates`);
      await client.cancel();
      received.push(...client.updates.map((e) => e.id!));
      lastEventId = client.lastEventId;
      // Missed while away: the publisher keeps going during this gap.
      await eventually(() => published.length > received.length + 40, "updates published while disconnected");
    }
    publishing = false;
    await publisher;

    // One last reconnect (by query param this time) takes everything still missing.
    const final = open(openLiveStream(new Request(`http://test/api/stream?symbols=${symbol}&lastEventId=${lastEventId}`), hub).body!);
    await final.waitFor((c) => received.length + c.updates.length >= published.length, "the rest");
    received.push(...final.updates.map((e) => e.id!));

    expect(received).toEqual(published);
    expect(new Set(received).size).toBe(received.length);
    expect(hub.stats().backfilled).toBeGreaterThan(0);
    expect(hub.stats().snapshotsRequired).toEqual({ "too-old": 0, "unknown-id": 0, overflow: 0 });
  });

  it("sends snapshot-required when the Last-Event-ID is older than the stream keeps, then goes on live", async () => {
    const { hub, key } = newHub();
    const symbol = uniqueSymbol();
    const [firstId] = await publishLiveUpdates(redis, [price(symbol)], { key, maxLen: 100 });
    for (let i = 0; i < 3; i++)
      await publishLiveUpdates(
        redis,
        Array.from({ length: 200 }, () => price(symbol)),
        { key, maxLen: 100 },
      );

    const client = open(hub.connect(toSubscription({ symbols: [symbol] }), { lastEventId: firstId }));
    await client.waitFor(ready, "ready");
    const [snapshot] = client.events;
    expect(snapshot?.event).toBe("snapshot-required");
    expect(JSON.parse(snapshot?.data ?? "")).toEqual({ reason: "too-old", id: snapshot?.id });
    expect(client.updates).toHaveLength(0);

    const [liveId] = await publishLiveUpdates(redis, [price(symbol)], { key, maxLen: 100 });
    await client.waitFor((c) => c.updates.length === 1, "the live update after the snapshot");
    expect(client.updates[0]?.id).toBe(liveId);
  });

  it("sends snapshot-required for an id the stream never held", async () => {
    const { hub, key } = newHub();
    const symbol = uniqueSymbol();
    await publishLiveUpdates(redis, [price(symbol)], { key });
    const client = open(hub.connect(toSubscription({ symbols: [symbol] }), { lastEventId: "99999999999999-0" }));
    await client.waitFor(ready, "ready");
    expect(JSON.parse(client.events[0]?.data ?? "")).toMatchObject({ reason: "unknown-id" });
  });

  it("conflates a client that never reads, without stalling a fast one, which gets everything", async () => {
    const { hub, key } = newHub({ clientBufferBytes: 16 * 1024, readBatch: 50 });
    const symbols = Array.from({ length: 5 }, uniqueSymbol);
    const subscription = toSubscription({ symbols });
    const slowStream = hub.connect(subscription);
    const fast = open(hub.connect(subscription));
    await fast.waitFor(ready, "ready");

    const published: string[] = [];
    const last = new Map<string, number>();
    for (let batch = 0; batch < 30; batch++) {
      const updates = Array.from({ length: 100 }, (_, i) => price(symbols[i % symbols.length] ?? ""));
      for (const update of updates) last.set(update.symbol, update.last);
      published.push(...(await publishLiveUpdates(redis, updates, { key })));
    }

    await fast.waitFor((c) => c.updates.length >= published.length, "every update on the fast client");
    expect(fast.updates.map((e) => e.id)).toEqual(published);
    await eventually(() => hub.stats().conflated > 0, "the slow client being conflated");

    // The slow client drains: a prefix of what it had queued, then only the newest per symbol.
    const slow = open(slowStream);
    await slow.waitFor(
      (c) => symbols.every((s) => c.updates.some((e) => (JSON.parse(e.data) as PriceUpdate).last === last.get(s))),
      "the newest price of every symbol on the slow client",
    );
    const slowIds = slow.updates.map((e) => e.id!);
    expect(slowIds.length).toBeLessThan(published.length);
    const positions = slowIds.map((id) => published.indexOf(id));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > (positions[i - 1] ?? -1)))).toBe(true);
    expect(hub.stats().dropped).toBe(0);
  });

  it("sends only the newest update per key, and every alert, when the fan-out is paced past conflateFromIntervalMs; taps still get every entry", async () => {
    const { hub, key } = newHub({ conflateFromIntervalMs: 0 });
    const symbols = Array.from({ length: 3 }, uniqueSymbol);
    const tapped: string[] = [];
    const untap = hub.tap({
      onLive: () => undefined,
      onGap: () => undefined,
      onEntries: (entries) => tapped.push(...entries.map((e) => e.id)),
    });
    const client = open(hub.connect(toSubscription({ symbols })));
    await client.waitFor(ready, "ready");

    const updates: LiveUpdate[] = [];
    for (let i = 0; i < 50; i++) updates.push(...symbols.map((s) => price(s)));
    updates.push({
      type: "alert",
      symbol: symbols[0] ?? "",
      ts: 1_718_000_000_000,
      kind: "price-jump",
      severity: "warning",
      message: "one",
    });
    updates.push(...symbols.map((s) => price(s)));
    updates.push({
      type: "alert",
      symbol: symbols[0] ?? "",
      ts: 1_718_000_000_001,
      kind: "price-jump",
      severity: "warning",
      message: "two",
    });
    const ids = await publishLiveUpdates(redis, updates, { key });
    const lastPrices = new Map(updates.filter((u): u is PriceUpdate => u.type === "price").map((u) => [u.symbol, u.last]));

    await client.waitFor((c) => c.updates.at(-1)?.id === ids.at(-1), "the last update");
    const prices = client.updates.filter((e) => e.event === "price").map((e) => JSON.parse(e.data) as PriceUpdate);
    for (const symbol of symbols) expect(prices.filter((p) => p.symbol === symbol).at(-1)?.last).toBe(lastPrices.get(symbol));
    expect(client.updates.filter((e) => e.event === "alert").map((e) => (JSON.parse(e.data) as { message: string }).message)).toEqual([
      "one",
      "two",
    ]);
    expect(client.updates.length).toBeLessThan(updates.length);
    const received = client.updates.map((e) => ids.indexOf(e.id ?? ""));
    expect(received.every((p, i) => p >= 0 && (i === 0 || p > (received[i - 1] ?? -1)))).toBe(true);
    await eventually(() => tapped.length === ids.length, "every entry on the tap");
    expect(tapped).toEqual(ids);
    untap();
  });

  it("tells a slow client whose conflation buffer overflowed to reload a snapshot", async () => {
    const { hub, key } = newHub({ clientBufferBytes: 4_096, conflationMaxKeys: 3 });
    const symbols = Array.from({ length: 10 }, uniqueSymbol);
    const slowStream = hub.connect(toSubscription({ symbols }));
    await eventually(() => hub.stats().clients === 1, "the client");
    // Until the hub has had to conflate 10 symbols into 3 keys (it may merge what it reads at once).
    for (let batch = 0; hub.stats().dropped === 0; batch++) {
      expect(batch, "batches published before an overflow").toBeLessThan(500);
      await publishLiveUpdates(
        redis,
        symbols.map((s) => price(s)),
        { key },
      );
    }
    const slow = open(slowStream);
    await slow.waitFor((c) => c.events.some((e) => e.event === "snapshot-required"), "snapshot-required");
    const snapshot = slow.events.find((e) => e.event === "snapshot-required");
    expect(JSON.parse(snapshot?.data ?? "")).toMatchObject({ reason: "overflow" });
  });

  it("sends heartbeat comments and serves new clients after every client left", async () => {
    const { hub, key } = newHub({ heartbeatMs: 100, readBlockMs: 200 });
    const symbol = uniqueSymbol();
    const first = open(hub.connect(toSubscription({ symbols: [symbol] })));
    await first.waitFor((c) => c.comments.includes("hb"), "a heartbeat");
    await first.cancel();
    expect(hub.stats().clients).toBe(0);

    const second = open(hub.connect(toSubscription({ symbols: [symbol] })));
    await second.waitFor(ready, "ready");
    const [id] = await publishLiveUpdates(redis, [price(symbol)], { key });
    await second.waitFor((c) => c.updates.length === 1, "an update after the restart");
    expect(second.updates[0]?.id).toBe(id);
  });

  it("ends every client stream when the hub closes", async () => {
    const { hub } = newHub();
    const client = open(hub.connect(toSubscription({})));
    await client.waitFor(ready, "ready");
    await hub.close();
    await eventually(() => client.done, "the stream to end");
    expect(() => hub.connect(toSubscription({}))).toThrow(/closed/);
  });
});
