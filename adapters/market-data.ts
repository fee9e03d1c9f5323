// The real market data files: the samples shipped in data/samples/ (gzip-compressed CSV, the
// default MARKET_DATA_DIR) or any folder of the same layout, compressed or not.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const GZ = ".gz";

/** A file's name without a trailing `.gz`: what the parsers and name detection look at. */
export function dataFileName(file: string): string {
  const name = path.basename(file);
  return name.endsWith(GZ) ? name.slice(0, -GZ.length) : name;
}

/**
 * The path of data file `rel` (e.g. `lean_equity_tick/20131007_ibm_Trade_Tick.csv`) under `dir`:
 * the file itself or its `.gz`. Missing data is an error that names what was looked for, never a
 * reason to skip.
 */
export function marketDataFile(dir: string, rel: string): string {
  const plain = path.join(dir, rel);
  if (fs.existsSync(plain)) return plain;
  if (fs.existsSync(plain + GZ)) return plain + GZ;
  throw new Error(`market data file ${rel} (or ${rel}${GZ}) is missing under ${dir} (MARKET_DATA_DIR)`);
}

/** The text of a data file, gunzipped when its name ends in `.gz`. */
export function readMarketDataText(file: string): string {
  const bytes = fs.readFileSync(file);
  return (file.endsWith(GZ) ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

/** Files of folder `sub` under `dir` whose name (without `.gz`) ends with `suffix`, by that name. */
export function listMarketData(dir: string, sub: string, suffix: string): string[] {
  const folder = path.join(dir, sub);
  if (!fs.existsSync(folder)) throw new Error(`market data folder ${sub} is missing under ${dir} (MARKET_DATA_DIR)`);
  return fs
    .readdirSync(folder)
    .filter((name) => dataFileName(name).endsWith(suffix))
    .sort((a, b) => dataFileName(a).localeCompare(dataFileName(b)))
    .map((name) => path.join(folder, name));
}
