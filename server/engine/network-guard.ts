import ipaddr from "ipaddr.js";

// Where a probe must never connect unless the operator allows it. An MX may point anywhere;
// without this guard a job could scan the server's own network. ipaddr.js keeps the table of
// special-purpose ranges (RFC 6890 and its successors: loopback, private, CGNAT, link-local,
// multicast, broadcast, documentation, benchmarking, reserved 240/4, 0/8, ...); only plain
// unicast passes. IPv6 forms that carry an IPv4 address are judged by that address, so
// `64:ff9b::7f00:1` (NAT64) or `2002:7f00:1::1` (6to4) cannot reach 127.0.0.1 through a
// translator or relay.

/** IPv6 forms whose packets end at an embedded IPv4 address, and where that address sits. */
const EMBEDDED_IPV4: Record<string, (bytes: number[]) => number[]> = {
  ipv4Mapped: (b) => b.slice(12, 16), // ::ffff:a.b.c.d
  rfc6052: (b) => b.slice(12, 16), // 64:ff9b::a.b.c.d and 64:ff9b:1::/48 (NAT64)
  rfc6145: (b) => b.slice(12, 16), // ::ffff:0:a.b.c.d (SIIT)
  "6to4": (b) => b.slice(2, 6), // 2002:AABB:CCDD::/48
};

export function isPrivateAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return true;
  const address = ipaddr.parse(ip);
  if (address.kind() === "ipv4") return address.range() !== "unicast";
  const v6 = address as ipaddr.IPv6;
  const embedded = EMBEDDED_IPV4[v6.range()];
  if (embedded) return isPrivateAddress(ipaddr.fromByteArray(embedded(v6.toByteArray())).toString());
  // Teredo, ORCHID, discard-only and the rest are not unicast. Plain unicast must also be global
  // unicast (2000::/3): everything else, IPv4-compatible ::a.b.c.d included, is unassigned or deprecated.
  return v6.range() !== "unicast" || !v6.match(ipaddr.IPv6.parse("2000::"), 3);
}
