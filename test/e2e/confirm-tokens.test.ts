import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { inProcessServer } from "../support/in-process.js";
import { confirmAsABrowser, latestOutboxPath } from "../support/mail.js";

// Every kind of link a person (or a scanner, or an attacker) can open.
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;
let now = Date.parse("2026-11-20T14:00:00Z");

beforeAll(async () => {
  server = await inProcessServer({ clock: () => new Date(now) });
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("Tokens Inc") });
});
afterAll(() => server.close());

async function destination(email: string) {
  const created = (await api.POST("/v1/destinations", { body: { email } })).data!;
  return { id: created.id, path: await latestOutboxPath(server.dataDir, email) };
}

/** A sender identity named "Ops" at `email`, on a new mailbox domain of its own; the path of its link. */
async function identity(email: string) {
  const domain = (await api.POST("/v1/mailbox-domains", { body: { domain: email.split("@")[1]! } })).data!;
  const created = (await api.POST("/v1/sender-identities", { body: { domain_id: domain.id, name: "Ops", email } }))
    .data!;
  return { id: created.id, path: await latestOutboxPath(server.dataDir, email) };
}

async function open(path: string, method = "GET") {
  const response = await fetch(
    server.url + path,
    method === "POST"
      ? { method, body: "csrf=x", headers: { "content-type": "application/x-www-form-urlencoded" } }
      : {},
  );
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    cache: response.headers.get("cache-control"),
    text: await response.text(),
  };
}

describe("confirmation links", () => {
  it.each([
    ["unknown", "/confirm/Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0wY2"],
    ["too short", "/confirm/abc"],
    ["with characters outside base64url", "/confirm/Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0w%2B2"],
    ["oversized", `/confirm/${"A".repeat(8000)}`],
    ["a path traversal", "/confirm/..%2F..%2Fetc%2Fpasswd"],
  ])("an %s token gets the 404 page, never a stack trace", async (_, path) => {
    for (const method of ["GET", "POST"]) {
      const page = await open(path, method);
      expect(page.status).toBe(404);
      expect(page.type).toMatch(/^text\/html/);
      expect(page.cache).toBe("no-store");
      expect(page.text).toContain("This link is not valid");
      expect(page.text).not.toMatch(/at [A-Za-z]+ \(|node_modules/);
    }
  });

  it("an expired token gets the 410 page and confirms nothing", async () => {
    const { id, path } = await destination("late@acme-logistics.com");
    now += 7 * 24 * 3600_000 + 1000;
    expect((await open(path)).status).toBe(410);
    expect((await open(path, "POST")).status).toBe(410);
    expect(
      (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: id } } })).data!.status,
    ).toBe("pending");
  });

  it("a stale or forged form gets a 403 and confirms nothing", async () => {
    const { id, path } = await destination("forged@acme-logistics.com");
    const page = await fetch(server.url + path);
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const forged = await fetch(server.url + path, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=not-the-nonce",
    });
    expect(forged.status).toBe(403);
    const cookieless = await open(path, "POST");
    expect(cookieless.status).toBe(403);
    expect(
      (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: id } } })).data!.status,
    ).toBe("pending");
  });

  it("binds the form value to its link: a made-up pair, or another link's pair, confirms nothing", async () => {
    const mine = await destination("bound@acme-logistics.com");
    const theirs = await destination("other-link@acme-logistics.com");
    const form = (cookie: string, csrf: string) => ({
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    // A cookie and field the client made up, equal to each other: no page was loaded.
    expect((await fetch(server.url + mine.path, form("mp_csrf=x", "x"))).status).toBe(403);
    // A real pair, from the page of another link.
    const page = await fetch(server.url + theirs.path);
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    expect((await fetch(server.url + mine.path, form(cookie, csrf))).status).toBe(403);
    // A pair from this link's page, whose cookie is swapped for another nonce.
    const own = await fetch(server.url + mine.path);
    const ownCsrf = /name="csrf" value="([^"]+)"/.exec(await own.text())![1]!;
    expect((await fetch(server.url + mine.path, form(cookie, ownCsrf))).status).toBe(403);
    for (const id of [mine.id, theirs.id])
      expect(
        (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: id } } })).data!.status,
      ).toBe("pending");
    // The page's own pair works.
    expect(
      (await fetch(server.url + mine.path, form(own.headers.get("set-cookie")!.split(";")[0]!, ownCsrf))).status,
    ).toBe(200);
  });

  it.each([
    ["a JSON body", { "content-type": "application/json" }, '{"csrf":"x"}'],
    ["a text body", { "content-type": "text/plain" }, "csrf=x"],
    ["a form over 2 kB", { "content-type": "application/x-www-form-urlencoded" }, `csrf=${"x".repeat(3000)}`],
  ])("only the page's own form is read: %s gets the 400 page", async (_, headers, body) => {
    const { path } = await destination(`form-${Math.random().toString(36).slice(2, 8)}@acme-logistics.com`);
    const response = await fetch(server.url + path, { method: "POST", headers, body });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("This request was not understood");
  });

  it("broken escapes get the 400 page, other methods the 405 page, HEAD the headers of GET", async () => {
    const broken = await fetch(`${server.url}/confirm/Zb3k9Q2xV7mN1pR4sT6uW8yA0cE2gI4kM6oQ8sU0w%ZZ`);
    expect([broken.status, broken.headers.get("content-type")]).toEqual([400, "text/html; charset=utf-8"]);
    const put = await fetch(`${server.url}/confirm/abc`, { method: "PUT" });
    expect([put.status, put.headers.get("allow"), put.headers.get("content-type")]).toEqual([
      405,
      "GET, HEAD, POST",
      "text/html; charset=utf-8",
    ]);
    const head = await fetch(`${server.url}/confirm/abc`, { method: "HEAD" });
    expect([head.status, head.headers.get("content-type"), await head.text()]).toEqual([
      404,
      "text/html; charset=utf-8",
      "",
    ]);
  });

  it("confirming spends every token of the address; they then say 'already confirmed'", async () => {
    const first = await destination("twice@acme-logistics.com");
    expect(
      (await api.POST("/v1/destinations/{destination_id}/resend", { params: { path: { destination_id: first.id } } }))
        .response.status,
    ).toBe(200);
    await server.mailer.idle();
    const second = await latestOutboxPath(server.dataDir, "twice@acme-logistics.com");
    expect(second).not.toBe(first.path);
    expect((await confirmAsABrowser(server.url, second)).status).toBe(200);
    const older = await open(first.path);
    expect(older.status).toBe(200);
    expect(older.text).toContain("already confirmed");
    expect(older.text).not.toContain("<form");
    const rows = await server.db
      .selectFrom("confirmation_tokens")
      .select("spent_at")
      .where("subject_id", "=", first.id)
      .execute();
    expect(rows.map((r) => r.spent_at !== null)).toEqual([true, true]);
  });

  it("a link for an address that was changed or deleted since names nothing (404)", async () => {
    const ops = await identity("ops@tokens-inc.com");
    await api.PUT("/v1/sender-identities/{identity_id}", {
      params: { path: { identity_id: ops.id } },
      body: { email: "team@tokens-inc.com" },
    });
    await server.mailer.idle();
    expect((await open(ops.path)).status).toBe(404);
    const newPath = await latestOutboxPath(server.dataDir, "team@tokens-inc.com");
    expect((await open(newPath)).status).toBe(200);

    const gone = await destination("gone@acme-logistics.com");
    await api.DELETE("/v1/destinations/{destination_id}", { params: { path: { destination_id: gone.id } } });
    expect((await open(gone.path)).status).toBe(404);
  });

  it("a link whose address changes while it is confirmed confirms nothing; the new address's link works", async () => {
    const ops = await identity("ops@race-inc.com");
    // The account's owner changes the address between the confirmation's look at the link (the
    // third: the page and the form's handler look first) and its transaction.
    const inspect = server.services.confirmations.inspect.bind(server.services.confirmations);
    let looks = 0;
    let changed = false;
    const spy = vi.spyOn(server.services.confirmations, "inspect").mockImplementation(async (token) => {
      const state = await inspect(token);
      if (++looks === 3) {
        const put = await api.PUT("/v1/sender-identities/{identity_id}", {
          params: { path: { identity_id: ops.id } },
          body: { email: "ceo@race-inc.com" },
        });
        changed = put.response.status === 200;
      }
      return state;
    });
    const confirmed = await confirmAsABrowser(server.url, ops.path);
    spy.mockRestore();
    expect(changed).toBe(true);
    // The new address is not verified by the old one's link, which names nothing now.
    const after = (await api.GET("/v1/sender-identities/{identity_id}", { params: { path: { identity_id: ops.id } } }))
      .data!;
    expect(after).toMatchObject({ email: "ceo@race-inc.com", is_verified: false, verified_at: null });
    expect(confirmed.status).toBe(404);
    // The new address's own link was not spent by the old one: its owner can still confirm it.
    await server.mailer.idle();
    const newPath = await latestOutboxPath(server.dataDir, "ceo@race-inc.com");
    expect((await confirmAsABrowser(server.url, newPath)).status).toBe(200);
    expect(
      (await api.GET("/v1/sender-identities/{identity_id}", { params: { path: { identity_id: ops.id } } })).data,
    ).toMatchObject({ email: "ceo@race-inc.com", is_verified: true });
  });

  it("an update read before its address changed never writes the old address back as confirmed", async () => {
    const path = { identity_id: (await identity("ceo@stale-inc.com")).id };
    // A rename that read the identity at ceo@ (unconfirmed) is held while the owner moves it to
    // ops@ and ops@'s owner confirms; written afterwards, it must not put ceo@ back as verified.
    const byIds = server.services.mailboxDomains.byIds.bind(server.services.mailboxDomains);
    let held = false;
    const spy = vi.spyOn(server.services.mailboxDomains, "byIds").mockImplementation(async (...args) => {
      if (!held) {
        held = true;
        const moved = await api.PUT("/v1/sender-identities/{identity_id}", {
          params: { path },
          body: { email: "ops@stale-inc.com" },
        });
        expect(moved.response.status).toBe(200);
        await server.mailer.idle();
        const opsLink = await latestOutboxPath(server.dataDir, "ops@stale-inc.com");
        expect((await confirmAsABrowser(server.url, opsLink)).status).toBe(200);
      }
      return byIds(...args);
    });
    const renamed = await api.PUT("/v1/sender-identities/{identity_id}", {
      params: { path },
      body: { email: "ceo@stale-inc.com", name: "Chief" },
    });
    spy.mockRestore();
    expect(held).toBe(true);
    const now = (await api.GET("/v1/sender-identities/{identity_id}", { params: { path } })).data!;
    // Either the address ops@ (confirmed) stays, or ceo@ comes back unconfirmed: never ceo@ confirmed.
    expect(now.email === "ceo@stale-inc.com" && now.is_verified).toBe(false);
    expect(renamed.data).toMatchObject({ email: now.email, is_verified: now.is_verified, name: "Chief" });
  });

  it("the page says what is confirmed, for which account, and sends the privacy headers", async () => {
    const { path } = await destination("page@acme-logistics.com");
    const response = await fetch(server.url + path);
    const html = await response.text();
    expect(html).toContain("<strong>Tokens Inc</strong> asked to forward mail to this address");
    expect(html).toContain("page@acme-logistics.com");
    expect(html).toMatch(/<button type="submit">Confirm<\/button>/);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toMatch(
      new RegExp(
        "^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; " +
          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'$",
      ),
    );
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
