// Column readers the stores' row mappers share: what an unset (null) or unusable column value
// becomes, decided once. No table knowledge here.

/** A result row as row mappers read it (cassandra-driver's Row). */
export type Row = { get(column: string): unknown };

/** A double or int column as a finite number; undefined when unset or not finite (NaN, ±Infinity). */
export function finiteNumberOf(row: Row, column: string): number | undefined {
  const value = row.get(column);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A timestamp column as epoch ms; undefined when unset. */
export function msOf(row: Row, column: string): number | undefined {
  const value = row.get(column);
  return value instanceof Date ? value.getTime() : undefined;
}

/** A text column; undefined when unset. */
export function textOf(row: Row, column: string): string | undefined {
  const value = row.get(column);
  return typeof value === "string" ? value : undefined;
}
