// Chart.js's date adapter in a chosen time zone: ticks, their labels and unit boundaries (an hour, a
// day) are computed in `adapters.date.timeZone` of the time scale — the venue's exchange time or UTC —
// instead of the browser's zone, which is what chartjs-adapter-date-fns does (it passes its options
// to `format` only). date-fns 4 takes the zone as its `in` context (@date-fns/tz). Without a zone:
// the browser's local time. 24-hour labels, as trading screens show them.
import { tz } from "@date-fns/tz";
import { _adapters, type TimeUnit } from "chart.js";
import {
  addDays,
  addHours,
  addMilliseconds,
  addMinutes,
  addMonths,
  addQuarters,
  addSeconds,
  addWeeks,
  addYears,
  differenceInDays,
  differenceInHours,
  differenceInMilliseconds,
  differenceInMinutes,
  differenceInMonths,
  differenceInQuarters,
  differenceInSeconds,
  differenceInWeeks,
  differenceInYears,
  endOfDay,
  endOfHour,
  endOfMinute,
  endOfMonth,
  endOfQuarter,
  endOfSecond,
  endOfWeek,
  endOfYear,
  format,
  isValid,
  parseISO,
  startOfDay,
  startOfHour,
  startOfMinute,
  startOfMonth,
  startOfQuarter,
  startOfSecond,
  startOfWeek,
  startOfYear,
} from "date-fns";

/** What the time scale's `adapters.date` carries. */
export interface ZonedAdapterOptions {
  /** IANA time zone; absent: the browser's. */
  timeZone?: string;
}

const FORMATS: Record<TimeUnit | "datetime", string> = {
  datetime: "yyyy-MM-dd HH:mm:ss",
  millisecond: "HH:mm:ss.SSS",
  second: "HH:mm:ss",
  minute: "HH:mm",
  hour: "HH:mm",
  day: "MMM d",
  week: "PP",
  month: "MMM yyyy",
  quarter: "qqq yyyy",
  year: "yyyy",
};

// One context function per zone (tz() builds a new one each call).
const contexts = new Map<string, ReturnType<typeof tz>>();
function contextOf(timeZone: string | undefined): { in?: ReturnType<typeof tz> } {
  if (!timeZone) return {};
  let context = contexts.get(timeZone);
  if (!context) {
    context = tz(timeZone);
    contexts.set(timeZone, context);
  }
  return { in: context };
}

type Adapter = { options: ZonedAdapterOptions };
const ctx = (adapter: Adapter) => contextOf(adapter.options?.timeZone);
const ms = (date: Date): number => date.getTime();

_adapters._date.override({
  formats: () => FORMATS,

  parse(this: Adapter, value: unknown) {
    if (value === null || value === undefined) return null;
    if (typeof value === "number") return Number.isFinite(value) ? value : null;
    const date = value instanceof Date ? value : typeof value === "string" ? parseISO(value, ctx(this)) : null;
    return date && isValid(date) ? date.getTime() : null;
  },

  format(this: Adapter, time: number, fmt: string) {
    return format(time, fmt, ctx(this));
  },

  add(this: Adapter, time: number, amount: number, unit: TimeUnit) {
    const c = ctx(this);
    switch (unit) {
      case "millisecond":
        return ms(addMilliseconds(time, amount, c));
      case "second":
        return ms(addSeconds(time, amount, c));
      case "minute":
        return ms(addMinutes(time, amount, c));
      case "hour":
        return ms(addHours(time, amount, c));
      case "day":
        return ms(addDays(time, amount, c));
      case "week":
        return ms(addWeeks(time, amount, c));
      case "month":
        return ms(addMonths(time, amount, c));
      case "quarter":
        return ms(addQuarters(time, amount, c));
      case "year":
        return ms(addYears(time, amount, c));
      default:
        return time;
    }
  },

  diff(this: Adapter, max: number, min: number, unit: TimeUnit) {
    const c = ctx(this);
    switch (unit) {
      case "millisecond":
        return differenceInMilliseconds(max, min);
      case "second":
        return differenceInSeconds(max, min);
      case "minute":
        return differenceInMinutes(max, min);
      case "hour":
        return differenceInHours(max, min);
      case "day":
        return differenceInDays(max, min, c);
      case "week":
        return differenceInWeeks(max, min, c);
      case "month":
        return differenceInMonths(max, min, c);
      case "quarter":
        return differenceInQuarters(max, min, c);
      case "year":
        return differenceInYears(max, min, c);
      default:
        return 0;
    }
  },

  startOf(this: Adapter, time: number, unit: TimeUnit | "isoWeek", weekday?: number) {
    const c = ctx(this);
    switch (unit) {
      case "second":
        return ms(startOfSecond(time, c));
      case "minute":
        return ms(startOfMinute(time, c));
      case "hour":
        return ms(startOfHour(time, c));
      case "day":
        return ms(startOfDay(time, c));
      case "week":
        return ms(startOfWeek(time, c));
      case "isoWeek":
        return ms(startOfWeek(time, { ...c, weekStartsOn: ((weekday ?? 1) % 7) as 0 | 1 | 2 | 3 | 4 | 5 | 6 }));
      case "month":
        return ms(startOfMonth(time, c));
      case "quarter":
        return ms(startOfQuarter(time, c));
      case "year":
        return ms(startOfYear(time, c));
      default:
        return time;
    }
  },

  endOf(this: Adapter, time: number, unit: TimeUnit) {
    const c = ctx(this);
    switch (unit) {
      case "second":
        return ms(endOfSecond(time, c));
      case "minute":
        return ms(endOfMinute(time, c));
      case "hour":
        return ms(endOfHour(time, c));
      case "day":
        return ms(endOfDay(time, c));
      case "week":
        return ms(endOfWeek(time, c));
      case "month":
        return ms(endOfMonth(time, c));
      case "quarter":
        return ms(endOfQuarter(time, c));
      case "year":
        return ms(endOfYear(time, c));
      default:
        return time;
    }
  },
});
