import { connect, createServer, type Socket } from "node:net";
import { freePort } from "./free-port.js";

/**
 * A TCP proxy of the suite's own, between a server and its database, that can do to the
 * connections what a network does: reset them all, refuse new ones, or black-hole them (keep
 * them open and pass no byte either way).
 */
export async function tcpProxy(target: { host: string; port: number }) {
  let mode: "pass" | "refuse" | "blackhole" = "pass";
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    if (mode === "refuse") return void client.resetAndDestroy();
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("data", (data) => mode === "pass" && upstream.write(data));
    upstream.on("data", (data) => mode === "pass" && client.write(data));
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    /** Every open connection gets a TCP reset. */
    reset: () => {
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    refuse: () => (mode = "refuse"),
    blackhole: () => (mode = "blackhole"),
    pass: () => (mode = "pass"),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
