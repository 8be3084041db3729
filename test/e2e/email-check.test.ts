import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { inProcessServer } from "../support/in-process.js";
import { mxServer } from "../support/mx-server.js";

// POST /v1/email-checks through the whole server, on loopback DNS and SMTP.
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let mx: Awaited<ReturnType<typeof mxServer>>;
let hanging: Awaited<ReturnType<typeof mxServer>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;

beforeAll(async () => {
  dns = await startDnsServer();
  const port = await freePort();
  mx = await mxServer({ host: "127.0.0.6", port, mailboxes: { "marta@signup.test": "accept" } });
  hanging = await mxServer({ host: "127.0.0.7", port, mailboxes: {}, silent: true });
  dns.publish("signup.test", { MX: [{ priority: 10, exchange: "mx.signup.test" }] });
  dns.publish("mx.signup.test", { A: ["127.0.0.6"] });
  dns.publish("slowpoke.test", { MX: [{ priority: 10, exchange: "mx.slowpoke.test" }] });
  dns.publish("mx.slowpoke.test", { A: ["127.0.0.7"] });
  server = await inProcessServer({
    env: {
      DNS_SERVERS: dns.server,
      VALIDATION_SMTP_PORT: String(port),
      VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
      EMAIL_CHECK_TIMEOUT_MS: "700",
      VALIDATION_COMMAND_TIMEOUT_MS: "5000",
    },
  });
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("Signups") });
});
afterAll(async () => {
  await server.close();
  await Promise.all([mx.close(), hanging.close(), dns.close()]);
});

describe("POST /v1/email-checks", () => {
  it("answers with the same result object as a bulk job", async () => {
    const { data, response } = await api.POST("/v1/email-checks", { body: { email: "marta@signup.test" } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      email: "marta@signup.test",
      result: "deliverable",
      reason: "accepted_email",
      catch_all: false,
      checks: { mx: "mx.signup.test", smtp: { code: 250 } },
    });
    const typo = await api.POST("/v1/email-checks", { body: { email: "jan@gmial.com" } });
    expect(typo.data).toMatchObject({ did_you_mean: "jan@gmail.com" });
    const junk = await api.POST("/v1/email-checks", { body: { email: "not an address" } });
    expect(junk.data).toMatchObject({ result: "undeliverable", reason: "invalid_syntax", checks: { syntax: false } });
  });

  it("answers within EMAIL_CHECK_TIMEOUT_MS when the mail server hangs", async () => {
    const started = Date.now();
    const { data } = await api.POST("/v1/email-checks", { body: { email: "ana@slowpoke.test" } });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(data).toMatchObject({
      result: "unknown",
      reason: "smtp_timeout",
      checks: { syntax: true, domain: "slowpoke.test" },
    });
  });
});
