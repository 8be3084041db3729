import { BlockList, isIPv4 } from "node:net";

// Where a probe must never connect unless the operator allows it: loopback, private, shared,
// link-local, multicast and other special-purpose ranges (RFC 6890). An MX may point anywhere;
// without this guard a job could be used to scan the server's own network.
const blocked = new BlockList();
for (const [net, prefix] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4]] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["::ffff:0:0", 96]] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

export function isPrivateAddress(ip: string): boolean {
  return blocked.check(ip, isIPv4(ip) ? "ipv4" : "ipv6");
}
