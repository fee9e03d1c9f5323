// bench:peer's larger input: synthetic LEAN trade tick files (the real sample's format), so the
// same replay feeds them and the same independent reference checks them. Deterministic: the same
// files every run. Prices walk by cents, sizes 1–500, times advance 0–2·mean ms (ties happen, and
// their file order must decide open and close), 0.2 % of rows are flagged suspicious (off-market
// prices that must stay out of candles).
import fs from "node:fs";
import path from "node:path";

/** Regular session 09:30–16:00 New York, in ms after midnight. */
const SESSION_START_MS = 9.5 * 3_600_000;
const SESSION_MS = 6.5 * 3_600_000;

/** Deterministic uniform [0, 1) (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `SYN000`, `SYN001`, …: the synthetic symbols. */
export function syntheticSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `SYN${String(i).padStart(3, "0")}`);
}

/**
 * Writes one `<yyyymmdd>_syn###_Trade_Tick.csv` per symbol into `dir` with `trades` rows in all,
 * spread over the regular session of `yyyymmdd`. Returns the files.
 */
export function writeSyntheticLeanTrades(dir: string, trades: number, symbols: number, yyyymmdd: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const random = seededRandom(20131007);
  return syntheticSymbols(symbols).map((symbol, i) => {
    const rows = Math.floor(trades / symbols) + (i < trades % symbols ? 1 : 0);
    const meanStepMs = SESSION_MS / rows;
    let timeMs = SESSION_START_MS;
    let priceCents = 5_000 + 100 * i;
    const lines: string[] = [];
    for (let r = 0; r < rows; r++) {
      timeMs = Math.min(SESSION_START_MS + SESSION_MS - 1, timeMs + (random() < 0.05 ? 0 : Math.floor(random() * 2 * meanStepMs)));
      priceCents = Math.max(100, priceCents + Math.round((random() - 0.5) * 4));
      const size = 1 + Math.floor(random() * 500);
      const suspicious = random() < 0.002;
      const scaledPrice = (suspicious ? Math.round(priceCents * 1.1) : priceCents) * 100;
      lines.push(`${Math.floor(timeMs)},${scaledPrice},${size},Q,0,${suspicious ? 1 : 0}`);
    }
    const file = path.join(dir, `${yyyymmdd}_${symbol.toLowerCase()}_Trade_Tick.csv`);
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
  });
}
