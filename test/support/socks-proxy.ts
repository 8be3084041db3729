import socks5 from "simple-socks";

/** A real SOCKS5 proxy (simple-socks) on loopback that records where it was asked to connect. */
export async function socksProxy(credentials?: { username: string; password: string }) {
  const destinations: string[] = [];
  const server = socks5.createServer({
    ...(credentials && {
      authenticate: (username: string, password: string, _socket: unknown, callback: (error?: Error) => void) =>
        callback(
          username === credentials.username && password === credentials.password
            ? undefined
            : new Error("wrong credentials"),
        ),
    }),
    connectionFilter: (
      destination: { address: string; port: number },
      _origin: unknown,
      callback: (error?: Error) => void,
    ) => {
      destinations.push(`${destination.address}:${destination.port}`);
      callback();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the proxy has no address");
  return {
    host: "127.0.0.1",
    port: address.port,
    destinations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
