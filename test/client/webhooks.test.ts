import type { AddressInfo } from "node:net";
import express from "express";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  type MailproofClient,
  verifyWebhook,
  type WebhookEvent,
  WebhookVerificationError,
} from "../../client/src/index.js";
import type { WebhookDispatcher } from "../../server/webhook-endpoints/dispatcher.js";
import { inProcessServer } from "../support/in-process.js";
import { eventually } from "../support/mail.js";

// verifyWebhook in the receiver the README shows: Express, the raw body, a 400 for anything that
// is not a genuine event. Events come from a real server's dispatcher.
let server: Awaited<ReturnType<typeof inProcessServer>>;
let dispatcher: WebhookDispatcher;
let api: MailproofClient;
let receiverUrl: string;
let closeReceiver: () => void;
let secret = "";
const events: WebhookEvent[] = [];
const refused: number[] = [];

beforeAll(async () => {
  server = await inProcessServer({ env: { WEBHOOK_ALLOW_HTTP: "true", WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true" } });
  dispatcher = server.services.startWebhookDispatcher();
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("Receiver") });

  // The README's receiver.
  const app = express();
  app.post("/mailproof", express.raw({ type: "application/json" }), (req, res) => {
    let event: WebhookEvent;
    try {
      event = verifyWebhook(req.body as Buffer, req.headers, secret);
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        refused.push(Date.now());
        return void res.status(400).end();
      }
      throw error;
    }
    events.push(event);
    res.status(204).end();
  });
  const listening = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => listening.once("listening", resolve));
  receiverUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  closeReceiver = () => listening.close();
});
afterAll(async () => {
  await dispatcher.stop();
  closeReceiver();
  await server.close();
});

describe("verifyWebhook", () => {
  it("hands a receiver the typed event mailproof signed", async () => {
    const created = await api.POST("/v1/webhook-endpoints", { body: { url: `${receiverUrl}/mailproof` } });
    secret = created.data!.secret!;
    await api.POST("/v1/webhook-endpoints/{endpoint_id}/ping", {
      params: { path: { endpoint_id: created.data!.id } },
    });
    const [first] = await eventually(async () => (events.length > 0 ? events : undefined));
    const event = first!;
    expect(event.type).toBe("ping");
    // Narrowing on `type` gives the event's own data.
    if (event.type === "ping") expect(event.data.endpoint_id).toBe(created.data!.id);
  });

  it("refuses a body changed on the way, a wrong secret and an old timestamp", async () => {
    const body = JSON.stringify({ type: "ping", timestamp: new Date().toISOString(), data: {} });
    const signed = (at: Date, key = secret) => ({
      "webhook-id": "msg_test",
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(key).sign("msg_test", at, body),
    });
    expect(verifyWebhook(body, signed(new Date()), secret).type).toBe("ping");
    expect(verifyWebhook(new TextEncoder().encode(body), new Headers(signed(new Date())), secret).type).toBe("ping");
    expect(() => verifyWebhook(body.replace("ping", "pong"), signed(new Date()), secret)).toThrow(
      WebhookVerificationError,
    );
    const other = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
    expect(() => verifyWebhook(body, signed(new Date(), other), secret)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(body, signed(new Date(Date.now() - 10 * 60_000)), secret)).toThrow(
      WebhookVerificationError,
    );
    // And over HTTP: the README's receiver answers 400, which mailproof would retry.
    const response = await fetch(`${receiverUrl}/mailproof`, {
      method: "POST",
      headers: { "content-type": "application/json", ...signed(new Date(), other) },
      body,
    });
    expect(response.status).toBe(400);
    expect(refused).toHaveLength(1);
  });
});
