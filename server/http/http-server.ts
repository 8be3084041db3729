import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Express } from "express";

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * The HTTP server around the app, with the bounds a server on the internet needs: a client that
 * trickles its headers is dropped after `headersTimeoutMs`, a whole request may take at most
 * `requestTimeoutMs` to arrive (a slow body included), an idle keep-alive connection goes after
 * `keepAliveTimeoutMs`, and Node checks these every second rather than every 30 s. Requests Node
 * itself refuses (malformed request lines, oversized headers) get a problem+json answer instead of
 * a bare status line. A request target in absolute form is taken as its path (originForm).
 */
export function listen(app: Express, port: number, host: string, timeouts: HttpTimeouts): Promise<Server> {
  // Node requires headersTimeout <= requestTimeout: headers are part of the request.
  const headersTimeout = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
  const server = createServer(
    { connectionsCheckingInterval: 1000, headersTimeout, requestTimeout: timeouts.requestTimeoutMs },
    (req, res) => {
      originForm(req);
      app(req, res);
    },
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.on("clientError", answerClientError);
  return new Promise((resolve, reject) => {
    // Express 5 hands a listen error to the callback; listening on the server directly keeps the
    // error an error, so a taken port stops start-up instead of leaving a process with no socket.
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/**
 * RFC 9112 §3.2.2: a server must accept a request target in absolute form (`GET http://host/path`,
 * what a client sends to a proxy); the API routes by path, so it becomes the path and query as
 * sent, before anything reads it. Its authority is not used: PUBLIC_URL names this server.
 */
function originForm(req: IncomingMessage): void {
  const authority = /^https?:\/\/[^/?#]*/i.exec(req.url ?? "");
  if (!authority) return;
  const rest = req.url!.slice(authority[0].length);
  req.url = rest.startsWith("/") ? rest : `/${rest}`;
}

const REASONS: Record<number, [string, string, string]> = {
  400: ["invalid_parameter", "Invalid parameter", "The request could not be parsed as HTTP/1.1."],
  408: ["request_timeout", "Request timeout", "The request was not received in time."],
  413: ["payload_too_large", "Payload too large", "The request is larger than this server accepts."],
  431: [
    "invalid_parameter",
    "Invalid parameter",
    "The request line and header fields together are over 16 kB (a long query string counts in them).",
  ],
};

function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (error.code === "ECONNRESET" && socket.destroyed)) {
    socket.destroy();
    return;
  }
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const [code, title, detail] = REASONS[status]!;
  const body = JSON.stringify({ type: `https://mailproof.dev/problems/${code}`, title, status, detail, code });
  const head = [
    `HTTP/1.1 ${status} ${title}`,
    "Content-Type: application/problem+json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "X-Content-Type-Options: nosniff",
    "Cache-Control: no-store",
    "Connection: close",
  ];
  socket.end(`${head.join("\r\n")}\r\n\r\n${body}`);
}
