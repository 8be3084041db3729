import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; json?: unknown; text?: string }
  /** The connection is reset without an answer (a crashed proxy). */
  | { drop: true }
  /** No answer at all (a black hole), until the client gives up. */
  | { hang: true };

/**
 * A real HTTP server on loopback that answers from a script, for testing the client's own
 * behaviour (paging, Retry-After, abort) where the answers must follow a precise sequence.
 */
export async function scriptedServer(
  script: (req: Seen, index: number) => Reply,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const entry: Seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, at: Date.now() };
      seen.push(entry);
      const reply = script(entry, seen.length - 1);
      if ("drop" in reply) return void req.socket.destroy();
      if ("hang" in reply) return;
      const isProblem = reply.status >= 400;
      res.writeHead(reply.status, {
        "content-type": isProblem ? "application/problem+json" : "application/json",
        ...reply.headers,
      });
      res.end(reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
