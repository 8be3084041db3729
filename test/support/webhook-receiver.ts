import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MailproofClient } from "../../client/src/index.js";
import { eventually } from "./mail.js";

export interface ReceivedEvent {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** How the receiver answers one request: a status (and headers), or never. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | "never";

/**
 * A real HTTP server that receives webhook deliveries as a user's endpoint would: it keeps every
 * request's headers and raw body, and answers as the test says (by default 204).
 */
export async function webhookReceiver(
  answer: (event: ReceivedEvent, index: number) => Answer = () => ({ status: 204 }),
) {
  const received: ReceivedEvent[] = [];
  const hanging = new Set<ServerResponse>();
  let answering = answer;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
      );
      const event = { headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      received.push(event);
      const reply = answering(event, received.length - 1);
      if (reply === "never") return void hanging.add(res);
      res.writeHead(reply.status, reply.headers).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    /** Changes how later requests are answered. */
    answer: (next: typeof answer) => {
      answering = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The receiver of the crash tests: at first every request hangs (the sender dies while it waits);
 * after `recover()` each webhook-id's next attempt gets a 500 and the one after it a 204.
 * `acknowledged` holds the ids answered 2xx.
 */
export async function hangThenFlakyReceiver() {
  let recovered = false;
  const failedOnce = new Set<string>();
  const acknowledged = new Set<string>();
  const receiver = await webhookReceiver((event) => {
    const id = event.headers["webhook-id"] ?? "";
    if (!recovered) return "never";
    if (!failedOnce.has(id)) {
      failedOnce.add(id);
      return { status: 500, body: "restarting" };
    }
    acknowledged.add(id);
    return { status: 204 };
  });
  return {
    ...receiver,
    acknowledged,
    /** Requests that arrived while hanging. */
    hanging: () => (recovered ? 0 : receiver.received.length),
    recover: () => {
      recovered = true;
    },
  };
}

/** `endpoints` endpoints at the receiver's URL, each with `pings` pings queued; their event ids. */
export async function pingedEndpoints(api: MailproofClient, receiverUrl: string, endpoints: number, pings: number) {
  const ids: string[] = [];
  const eventIds = new Set<string>();
  for (let i = 0; i < endpoints; i++) {
    const id = (await api.POST("/v1/webhook-endpoints", { body: { url: `${receiverUrl}/hooks/${i}` } })).data!.id;
    ids.push(id);
    for (let p = 0; p < pings; p++)
      eventIds.add(
        (await api.POST("/v1/webhook-endpoints/{endpoint_id}/ping", { params: { path: { endpoint_id: id } } })).data!
          .event_id,
      );
  }
  return { endpoints: ids, eventIds };
}

/** Every delivery of the endpoints, once each is delivered (within `timeoutMs`). */
export function allDelivered(api: MailproofClient, endpoints: string[], timeoutMs: number) {
  return eventually(async () => {
    const lists = await Promise.all(
      endpoints.map(
        async (endpoint) =>
          (
            await api.GET("/v1/webhook-endpoints/{endpoint_id}/deliveries", {
              params: { path: { endpoint_id: endpoint }, query: { page: { size: 100 } } },
            })
          ).data!.data,
      ),
    );
    const list = lists.flat();
    return list.every((d) => d.status === "delivered") ? list : undefined;
  }, timeoutMs);
}
