// Which clock the symbol page shows times in — the venue's exchange time (default), the browser's
// local time, or UTC — and wall-clock formatting in it. Pure but for Intl (no Chart.js, no React).
import type { Venue } from "../../core/exchange-time";

export const TIME_DISPLAYS = ["exchange", "local", "utc"] as const;
export type TimeDisplay = (typeof TIME_DISPLAYS)[number];
export const TIME_DISPLAY_STORAGE_KEY = "tickstream-time-display";

export function isTimeDisplay(value: unknown): value is TimeDisplay {
  return typeof value === "string" && (TIME_DISPLAYS as readonly string[]).includes(value);
}

/** The IANA zone times are shown in; undefined = the browser's own. */
export function displayZone(display: TimeDisplay, venue: Venue): string | undefined {
  if (display === "exchange") return venue.timeZone;
  return display === "utc" ? "UTC" : undefined;
}

/** Short label of the shown clock: "New York", "UTC", "local". */
export function displayZoneLabel(display: TimeDisplay, venue: Venue): string {
  if (display === "exchange") return venue.zoneLabel;
  return display === "utc" ? "UTC" : "local";
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(zone: string | undefined, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${zone ?? ""}|${withSeconds}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hourCycle: "h23",
      hour: "2-digit",
      minute: "2-digit",
      ...(withSeconds ? { second: "2-digit" } : {}),
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** Wall time of epoch ms in `zone` (undefined: local), "HH:MM:SS" (or "HH:MM"); "—" when unknown. */
export function formatClock(tsMs: number | null | undefined, zone: string | undefined, withSeconds = true): string {
  if (tsMs === null || tsMs === undefined || !Number.isFinite(tsMs)) return "—";
  return formatterOf(zone, withSeconds).format(tsMs);
}

const dateTimeFormatters = new Map<string, Intl.DateTimeFormat>();

/** Date and wall time of epoch ms in `zone`: "2013-10-07 09:30" (with seconds: "09:30:05"). */
export function formatDateTime(tsMs: number, zone: string | undefined, withSeconds = false): string {
  if (!Number.isFinite(tsMs)) return "—";
  const key = `${zone ?? ""}|${withSeconds}`;
  let formatter = dateTimeFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      ...(withSeconds ? { second: "2-digit" } : {}),
    });
    dateTimeFormatters.set(key, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(tsMs)) parts[part.type] = part.value;
  const time = `${parts.hour}:${parts.minute}${withSeconds ? `:${parts.second}` : ""}`;
  return `${parts.year}-${parts.month}-${parts.day} ${time}`;
}
