import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { inProcessServer } from "../support/in-process.js";
import { recordingLogger } from "../support/logs.js";
import { confirmAsABrowser, confirmationPath, eventually, recipients } from "../support/mail.js";
import { smtpSink } from "../support/smtp-sink.js";

// Confirmation mail through SMTP_URL to a real SMTP server on loopback, with authentication.
let sink: Awaited<ReturnType<typeof smtpSink>>;
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;
const recording = recordingLogger();
const logs = recording.text;
let apiKey: string;

beforeAll(async () => {
  sink = await smtpSink({ user: "relay-user", password: "s3cret pass" });
  server = await inProcessServer({
    env: {
      SMTP_URL: sink.url,
      MAIL_FROM: "Acme via mailproof <verify@mailproof.test>",
      PUBLIC_URL: "https://verify.acme-logistics.com",
    },
    logger: recording.logger,
    retryDelaysMs: [100, 200],
  });
  apiKey = await server.createKey("Acme Logistics");
  api = createClient({ baseUrl: server.url, apiKey });
});
afterAll(async () => {
  await server.close();
  await sink.close();
});

const mailTo = (to: string) => eventually(async () => sink.received.filter((m) => recipients(m).includes(to)).at(-1));

describe("confirmation mail over SMTP", () => {
  it("mails a link built from PUBLIC_URL; following it and pressing Confirm verifies the destination", async () => {
    const created = (
      await api.POST("/v1/destinations", {
        body: { email: "ana.silva@acme-logistics.com" },
        headers: { Host: "evil.example" },
      })
    ).data!;
    const mail = await mailTo("ana.silva@acme-logistics.com");
    expect(mail.subject).toBe("Please confirm ana.silva@acme-logistics.com");
    expect(mail.from?.text).toBe('"Acme via mailproof" <verify@mailproof.test>');
    expect(mail.text).toContain("Acme Logistics asked to forward mail to this address");
    expect(mail.text).toMatch(/https:\/\/verify\.acme-logistics\.com\/confirm\/[A-Za-z0-9_-]{43}/);
    expect(mail.html).toContain("<strong>Acme Logistics</strong>");
    expect(created.verification.sends_last_24h).toBe(1);
    expect(created.verification.expires_at).not.toBeNull();

    const path = confirmationPath(mail);
    // Opening the page (as a mail scanner does) changes nothing.
    const page = await fetch(server.url + path);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("set-cookie")).toMatch(/mp_csrf=.+; Path=\/confirm; HttpOnly; Secure; SameSite=Strict/);
    expect(
      (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })).data!
        .status,
    ).toBe("pending");

    const confirmed = await confirmAsABrowser(server.url, path);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("is confirmed");
    const after = (
      await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })
    ).data!;
    expect(after.status).toBe("verified");
    expect(after.verified_at).not.toBeNull();
    expect(after.verification).toMatchObject({ next_resend_at: null, expires_at: null });

    // A second press (scanners press buttons too) says so; the link is spent, the answer is 200.
    const again = await confirmAsABrowser(server.url, path).catch(() => null);
    const direct = await fetch(server.url + path, {
      method: "POST",
      body: "csrf=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(direct.status).toBe(200);
    expect(await direct.text()).toContain("already confirmed");
    expect(again).toBeNull(); // the page no longer offers a form: nothing left to confirm
  });

  it("includes the identity's personal note, escaped, and refuses header injection", async () => {
    const domain = (await api.POST("/v1/mailbox-domains", { body: { domain: "acme-logistics.com" } })).data!;
    const note = 'Hi Marta <script>alert(1)</script>\r\nBcc: victim@example.org & "friends"';
    const identity = await api.POST("/v1/sender-identities", {
      body: {
        domain_id: domain.id,
        name: "Acme Billing",
        email: "billing@acme-logistics.com",
        add_note: true,
        personal_note: note,
      },
    });
    expect(identity.response.status).toBe(201);
    const mail = await mailTo("billing@acme-logistics.com");
    expect(mail.html).toContain("Hi Marta &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(mail.html).not.toContain("<script>");
    expect(mail.text).toContain("Hi Marta <script>");
    expect(mail.headers.has("bcc")).toBe(false);
    expect(recipients(mail)).toEqual(["billing@acme-logistics.com"]);
    expect(mail.text).toContain("send mail as Acme Billing from this address");

    for (const field of ["name", "reply_to_name"] as const) {
      const injected = await api.POST("/v1/sender-identities", {
        body: {
          domain_id: domain.id,
          name: "Acme",
          email: `x-${field}@acme-logistics.com`,
          [field]: "Acme\r\nBcc: victim@example.org",
        },
      });
      expect(injected.response.status).toBe(422);
    }
  });

  it("keeps and mails in ASCII an address whose domain is in Unicode; refuses a non-ASCII local part", async () => {
    const created = await api.POST("/v1/destinations", { body: { email: "Ana.Silva@Bücher.de" } });
    expect(created.response.status).toBe(201);
    expect(created.data!.email).toBe("Ana.Silva@xn--bcher-kva.de");
    // mailparser (and smtp-server's envelope) show IDN domains in Unicode: the raw header says what went.
    const mail = await mailTo("ana.silva@bücher.de");
    // People read the domain in Unicode, beside the form it is stored in, which look-alikes cannot disguise.
    const shown = "Ana.Silva@bücher.de (Ana.Silva@xn--bcher-kva.de)";
    expect(mail.subject).toBe(`Please confirm ${shown}`);
    expect(mail.text).toContain(`asked to forward mail to this address: ${shown}.`);
    expect(mail.html).toContain(`<strong>${shown}</strong>`);
    const page = await (await fetch(server.url + confirmationPath(mail))).text();
    expect(page).toContain(`<p class="address">${shown}</p>`);
    expect(mail.headerLines.find((h) => h.key === "to")?.line).toBe("To: Ana.Silva@xn--bcher-kva.de");
    // One address, however its domain is written.
    const again = await api.POST("/v1/destinations", { body: { email: "ana.silva@xn--BCHER-kva.de" } });
    expect(again.response.status).toBe(409);

    const domain = (await api.POST("/v1/mailbox-domains", { body: { domain: "bücher.de" } })).data!;
    const identity = await api.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "Bücher", email: "billing@bücher.de", reply_to_email: "konto@BÜCHER.de" },
    });
    expect(identity.response.status).toBe(201);
    expect(identity.data).toMatchObject({
      email: "billing@xn--bcher-kva.de",
      reply_to_email: "konto@xn--bcher-kva.de",
    });
    expect((await mailTo("billing@bücher.de")).headerLines).toContainEqual({
      key: "to",
      line: "To: billing@xn--bcher-kva.de",
    });

    const before = sink.received.length;
    const local = await api.POST("/v1/destinations", { body: { email: "josé@bücher.de" } });
    expect(local.response.status).toBe(422);
    expect(local.error!.detail).toBe(
      "/email has a local part that is not ASCII: mail to it needs SMTPUTF8 (RFC 6531), which mailproof does not send.",
    );
    const past254 = `${"a".repeat(60)}@${Array.from({ length: 7 }, () => "ü".repeat(22)).join(".")}.de`;
    expect(past254.length).toBeLessThanOrEqual(254);
    const long = await api.POST("/v1/destinations", { body: { email: past254 } });
    expect(long.response.status).toBe(422);
    expect(long.error!.detail).toMatch(/octets with its domain in ASCII, over 254/);
    expect(sink.received.length).toBe(before);
  });

  it("never puts a token or an API key in the logs or the database in clear", async () => {
    const mails = sink.received.map((m) => confirmationPath(m).split("/").pop()!);
    expect(mails.length).toBeGreaterThan(0);
    const rows = JSON.stringify(await server.db.selectFrom("confirmation_tokens").selectAll().execute());
    const everything =
      logs.join("\n") + rows + JSON.stringify(await server.db.selectFrom("api_keys").selectAll().execute());
    for (const token of mails) expect(everything).not.toContain(token);
    expect(everything).not.toContain(apiKey);
  });

  it("keeps the address pending and reports mail failing while the relay refuses; the API call succeeds", async () => {
    sink.state.failing = true;
    try {
      const created = await api.POST("/v1/destinations", { body: { email: "ops@acme-logistics.com" } });
      expect(created.response.status).toBe(201);
      await server.mailer.idle();
      const health = await (await fetch(`${server.url}/healthz`)).json();
      expect(health).toEqual({
        status: "degraded",
        // Free space is the SQLite disk's; PostgreSQL's disk is its own (null).
        checks: {
          store: "ok",
          mail: "failing",
          probe: "ok",
          disk_free_bytes: server.config.databaseUrl ? null : expect.any(Number),
        },
        // This server runs no workers, and nothing waits for one.
        workers: { alive: 0, last_heartbeat_at: null },
        queue: { queued_chunks: 0, running_chunks: 0, oldest_queued_at: null },
      });
      expect(logs.some((l) => l.includes("sending mail failed"))).toBe(true);
      expect(
        (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.data!.id } } }))
          .data!.status,
      ).toBe("pending");
    } finally {
      sink.state.failing = false;
    }
    // Once the relay is back, a resend is delivered and mail reads ok again.
    const list = (await api.GET("/v1/destinations", { params: { query: { status: "pending" } } })).data!.data;
    const ops = list.find((d) => d.email === "ops@acme-logistics.com")!;
    const resent = await api.POST("/v1/destinations/{destination_id}/resend", {
      params: { path: { destination_id: ops.id } },
    });
    expect(resent.response.status).toBe(200);
    await mailTo("ops@acme-logistics.com");
    await server.mailer.idle();
    expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({ status: "ok", checks: { mail: "ok" } });
  });
});
