// The CA certificates Kafka and Cassandra clients trust, read from the PEM files the config names.
import fs from "node:fs";

/** A PEM file's text, or an error that names the setting pointing at it. */
export function readPemFile(file: string, setting: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${setting}: cannot read ${file}: ${(error as Error).message}`);
  }
}
