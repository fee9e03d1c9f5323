import { describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientKey, requestClientKey, UNKNOWN_CLIENT } from "./client-address";

describe("client key", () => {
  it("keeps IPv4 addresses, also written IPv4-mapped", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::FFFF:127.0.0.1")).toBe("127.0.0.1");
  });

  it("groups IPv6 addresses by their /64, however they are written", () => {
    expect(clientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
  });

  it("counts a request without an address as the one unknown client", () => {
    expect(clientKey(undefined)).toBe(UNKNOWN_CLIENT);
    expect(clientKey(" ")).toBe(UNKNOWN_CLIENT);
    expect(requestClientKey(new Headers())).toBe(UNKNOWN_CLIENT);
    expect(requestClientKey(new Headers({ [CLIENT_ADDRESS_HEADER]: "198.51.100.1" }))).toBe("198.51.100.1");
  });
});
