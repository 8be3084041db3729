import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import type { ValidationWorker } from "../../server/email-validations/worker.js";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { inProcessServer } from "../support/in-process.js";

// Mail hosts that answer every command, but only after a second each (below the command timeout,
// so no single wait ever times out): 600 addresses on 20 such domains took a conversation of 33 s
// per domain, and a real tarpit hours. A domain's probe is bounded (VALIDATION_DOMAIN_TIMEOUT_MS).
const DOMAINS = 20;
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;
let workers: ValidationWorker[] = [];
const hosts: Server[] = [];

/** An SMTP server that accepts everything, one second after each command. */
function slowHost(host: string, port: number): Promise<Server> {
  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    const later = (line: string) => setTimeout(() => socket.writable && socket.write(`${line}\r\n`), 1000);
    later("220 slow.example ESMTP");
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (let at = buffer.indexOf("\n"); at >= 0; at = buffer.indexOf("\n")) {
        const command = buffer.slice(0, at).trim().toUpperCase();
        buffer = buffer.slice(at + 1);
        if (command.startsWith("QUIT")) socket.end("221 bye\r\n");
        else later(command.startsWith("EHLO") ? "250 slow.example" : "250 2.1.5 ok");
      }
    });
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

beforeAll(async () => {
  dns = await startDnsServer();
  const port = await freePort();
  for (let d = 0; d < DOMAINS; d++) {
    hosts.push(await slowHost(`127.0.0.${40 + d}`, port));
    dns.publish(`slow${d}.test`, { MX: [{ priority: 10, exchange: `mx.slow${d}.test` }] });
    dns.publish(`mx.slow${d}.test`, { A: [`127.0.0.${40 + d}`] });
  }
  server = await inProcessServer({
    env: {
      DNS_SERVERS: dns.server,
      VALIDATION_SMTP_PORT: String(port),
      VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
      VALIDATION_COMMAND_TIMEOUT_MS: "5000",
      VALIDATION_DOMAIN_TIMEOUT_MS: "3000",
    },
  });
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("slow") });
  workers = server.services.startValidationWorkers(1);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await server.close();
  await dns.close();
  for (const host of hosts) host.close();
});

describe("slow mail hosts", () => {
  it("600 addresses on 20 hosts answering a command a second: the job completes in about the 3 s bound", async () => {
    const emails = Array.from({ length: 600 }, (_, i) => `u${i}@slow${i % DOMAINS}.test`);
    const started = Date.now();
    const job = (await api.POST("/v1/email-validations", { body: { emails } })).data!;
    let state = job;
    while (state.status !== "completed" && Date.now() - started < 30_000) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await api.GET("/v1/email-validations/{validation_id}", { params: { path: { validation_id: job.id } } }))
        .data!;
    }
    const seconds = (Date.now() - started) / 1000;
    expect(state.status).toBe("completed");
    expect(seconds, `took ${seconds} s`).toBeLessThan(12);
    // Nothing was answered no: what the time bound cut off is unknown (smtp_timeout), never undeliverable.
    expect(state.counts).toMatchObject({ total: 600, processed: 600, undeliverable: 0 });
    expect(state.counts.unknown).toBeGreaterThan(0);
  }, 40_000);
});
