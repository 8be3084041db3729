import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "./network-guard.js";

// Addresses a probe must never reach (unless the operator allows private networks), and some it may.
const blocked = [
  ["127.0.0.1", "loopback"],
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["192.168.1.1", "private"],
  ["100.64.0.1", "CGNAT"],
  ["169.254.169.254", "link-local (cloud metadata)"],
  ["0.1.2.3", "this network 0/8"],
  ["240.0.0.1", "reserved 240/4"],
  ["255.255.255.255", "broadcast"],
  ["224.0.0.1", "multicast"],
  ["192.0.2.1", "TEST-NET-1"],
  ["198.51.100.7", "TEST-NET-2"],
  ["203.0.113.9", "TEST-NET-3"],
  ["198.18.0.1", "benchmarking"],
  ["::1", "IPv6 loopback"],
  ["::", "unspecified"],
  ["fe80::1", "IPv6 link-local"],
  ["fc00::1", "unique local"],
  ["ff02::1", "IPv6 multicast"],
  ["2001:db8::1", "IPv6 documentation"],
  ["64:ff9b::7f00:1", "NAT64 of 127.0.0.1"],
  ["64:ff9b::a00:1", "NAT64 of 10.0.0.1"],
  ["64:ff9b:1::7f00:1", "local-use NAT64 of 127.0.0.1"],
  ["::7f00:1", "IPv4-compatible 127.0.0.1"],
  ["::808:808", "IPv4-compatible (deprecated)"],
  ["2002:7f00:1::1", "6to4 of 127.0.0.1"],
  ["2002:c0a8:101::1", "6to4 of 192.168.1.1"],
  ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
  ["::ffff:0:7f00:1", "SIIT of 127.0.0.1"],
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"],
  ["100::1", "discard-only"],
  ["not an address", "garbage"],
  ["1.2.3.4.5", "too many octets"],
] as const;
const allowed = [
  ["8.8.8.8"],
  ["2607:f8b0:4004:800::200e"],
  ["64:ff9b::808:808"],
  ["2002:808:808::1"],
  ["::ffff:8.8.4.4"],
] as const;

describe("private-network guard", () => {
  it.each(blocked)("blocks %s (%s)", (ip) => expect(isPrivateAddress(ip)).toBe(true));
  it.each(allowed)("allows %s (public, or a public IPv4 behind a translator)", (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );
});
