// Who is calling, for per-client limits (the admin login throttle). The web server
// (infra/web-server.ts) stamps every request with its socket's peer address, replacing whatever the
// client sent under that name; X-Forwarded-For is never trusted. Behind a proxy, every client is
// the proxy. Pure.
import { isIPv6 } from "node:net";

/** The request header the web server sets to the socket's peer address. */
export const CLIENT_ADDRESS_HEADER = "x-tickstream-client-address";

/** What requests that did not pass the web server (`next dev`, `next start`) count as: one shared client. */
export const UNKNOWN_CLIENT = "unknown";

/** The groups of an IPv6 address, "::" expanded; undefined when it is not one. */
function ipv6Groups(address: string): string[] | undefined {
  if (!isIPv6(address)) return undefined;
  const [head = "", tail] = address.split("::");
  const part = (text: string) => (text === "" ? [] : text.split(":"));
  const headGroups = part(head);
  const tailGroups = tail === undefined ? [] : part(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes two groups.
  const width = (groups: string[]) => groups.reduce((sum, group) => sum + (group.includes(".") ? 2 : 1), 0);
  const missing = 8 - width(headGroups) - width(tailGroups);
  return [...headGroups, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailGroups];
}

/**
 * The key one client is limited under: an IPv4 address (also written IPv4-mapped, `::ffff:a.b.c.d`)
 * as it is; an IPv6 address by its /64, which one host or site typically holds whole.
 */
export function clientKey(address: string | null | undefined): string {
  const trimmed = address?.trim().toLowerCase() ?? "";
  if (trimmed === "") return UNKNOWN_CLIENT;
  const groups = ipv6Groups(trimmed);
  if (groups === undefined) return trimmed;
  const last = groups.at(-1) ?? "";
  if (last.includes(".") && groups.slice(0, 5).every((group) => Number.parseInt(group, 16) === 0) && groups[5] === "ffff") return last;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}

/** The client key of a request the web server stamped (UNKNOWN_CLIENT otherwise). */
export function requestClientKey(headers: Headers): string {
  return clientKey(headers.get(CLIENT_ADDRESS_HEADER));
}
