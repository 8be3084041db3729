import { describe, expect, inject, it } from "vitest";
import { clientsFor, fresh } from "../support/api.js";

const server = inject("server");
const { a } = clientsFor(server);

async function newDomain(name = `acme-${fresh()}.com`) {
  const { data, error } = await a.POST("/v1/mailbox-domains", { body: { domain: name } });
  if (!data) throw new Error(JSON.stringify(error));
  return data;
}

describe("destinations", () => {
  it("creates pending, lower-cases the domain and refuses a case-variant duplicate", async () => {
    const local = `Ana.Silva+${fresh()}`;
    const { data, response } = await a.POST("/v1/destinations", { body: { email: `${local}@ACME-Logistics.COM` } });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ email: `${local}@acme-logistics.com`, status: "pending", verified_at: null });
    expect(data!.created_at).toBe(data!.updated_at);
    const again = await a.POST("/v1/destinations", { body: { email: `${local.toLowerCase()}@acme-logistics.com` } });
    expect(again.response.status).toBe(409);
    expect(again.error?.code).toBe("already_exists");
    expect(again.error?.detail).toContain(data!.id);
  });

  it("refuses an address the email format lets through but mail cannot go to, and sends nothing", async () => {
    const before = (await a.GET("/v1/destinations", { params: { query: { page: { size: 100 } } } })).data!.data;
    for (const [email, detail] of [
      ["ana@127.0.0.1", "/email has a domain mail cannot go to: an all-numeric top-level label (RFC 3696 §2)."],
      [
        "ana@acme-logistics.123",
        "/email has a domain mail cannot go to: an all-numeric top-level label (RFC 3696 §2).",
      ],
      [`${"a".repeat(65)}@acme-logistics.com`, "/email has a local part over 64 octets (RFC 5321 §4.5.3.1.1)."],
    ]) {
      const { error, response } = await a.POST("/v1/destinations", { body: { email: email! } });
      expect(response.status, email).toBe(422);
      expect(error).toMatchObject({ code: "validation_failed", detail, errors: [{ pointer: "/email" }] });
    }
    const after = (await a.GET("/v1/destinations", { params: { query: { page: { size: 100 } } } })).data!.data;
    expect(after.filter((d) => d.email.includes("127.0.0.1") || d.email.endsWith(".123"))).toEqual([]);
    expect(after.length).toBe(before.length);
    // 64 octets is the limit, not past it.
    const longest = `${"a".repeat(58)}${fresh().slice(0, 6)}@acme-logistics.com`;
    expect((await a.POST("/v1/destinations", { body: { email: longest } })).response.status).toBe(201);
  });

  it("filters by status", async () => {
    await a.POST("/v1/destinations", { body: { email: `filter-${fresh()}@acme-logistics.com` } });
    const pending = await a.GET("/v1/destinations", { params: { query: { status: "pending", page: { size: 100 } } } });
    expect(pending.data!.data.length).toBeGreaterThan(0);
    expect(pending.data!.data.every((d) => d.status === "pending")).toBe(true);
    const verified = await a.GET("/v1/destinations", {
      params: { query: { status: "verified", page: { size: 100 } } },
    });
    expect(verified.data!.data.every((d) => d.status === "verified")).toBe(true);
    expect(verified.data!.links.self).toContain("status=verified");
  });

  it("finds the one with an address by email, however it is spelt, and no other account's", async () => {
    const label = fresh();
    const created = (await a.POST("/v1/destinations", { body: { email: `Ana.${label}@bücher.de` } })).data!;
    await a.POST("/v1/destinations", { body: { email: `bea.${label}@bücher.de` } });
    const { b } = clientsFor(server);
    await b.POST("/v1/destinations", { body: { email: `ana.${label}@bücher.de` } });
    for (const email of [`ana.${label}@XN--BCHER-KVA.de`, `ANA.${label}@Bücher.DE`]) {
      const found = (await a.GET("/v1/destinations", { params: { query: { email } } })).data!;
      expect(
        found.data.map((d) => d.id),
        email,
      ).toEqual([created.id]);
      expect(found.links.self).toContain(`email=${encodeURIComponent(email)}`);
    }
    const other = await a.GET("/v1/destinations", {
      params: { query: { email: `cy.${label}@bücher.de`, status: "pending" } },
    });
    expect(other.data!.data).toEqual([]);
    const verified = await a.GET("/v1/destinations", {
      params: { query: { email: created.email, status: "verified" } },
    });
    expect(verified.data!.data).toEqual([]);
    const tooLong = await a.GET("/v1/destinations", { params: { query: { email: `${"a".repeat(250)}@x.de` } } });
    expect(tooLong.response.status).toBe(400);
  });

  it("deletes, after which the id is a 404", async () => {
    const { data } = await a.POST("/v1/destinations", { body: { email: `gone-${fresh()}@acme-logistics.com` } });
    const path = { params: { path: { destination_id: data!.id } } };
    expect((await a.DELETE("/v1/destinations/{destination_id}", path)).response.status).toBe(204);
    expect((await a.GET("/v1/destinations/{destination_id}", path)).error?.code).toBe("not_found");
    expect((await a.DELETE("/v1/destinations/{destination_id}", path)).response.status).toBe(404);
  });
});

describe("mailbox domains", () => {
  it("lower-cases the name, converts IDN to punycode and lists the records to publish", async () => {
    const label = fresh();
    const created = await newDomain(`Bücher-${label}.Example`);
    expect(created.domain).toMatch(/^xn--/);
    expect(created.domain).toBe(new URL(`http://bücher-${label}.example`).hostname);
    expect(created.status).toBe("pending");
    expect(created.dns_records.map((r) => [r.purpose, r.type, r.name])).toEqual([
      ["ownership", "TXT", `_mailproof.${created.domain}`],
      ["inbound_mx", "MX", created.domain],
      ["spf", "TXT", created.domain],
    ]);
    expect(created.dns_records[0]!.value).toMatch(/^mailproof-verification=[A-Za-z0-9_-]{24}$/);
    expect(created.dns_records[1]).toMatchObject({ value: "inbound.mailproof.test", priority: 10 });
    expect(created.dns_records[2]!.value).toBe("v=spf1 include:spf.mailproof.test ~all");
    expect(created.dns_records.every((r) => r.status === "pending" && r.observed_values.length === 0)).toBe(true);
    const again = await a.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: created.id } } });
    expect(again.data!.dns_records).toEqual(created.dns_records);
  });

  it.each([
    "localhost",
    "acme logistics.com",
    "-acme.com",
    "acme-.com",
    "acme..com",
    `${"a".repeat(64)}.com`,
    "acme.123",
    "acme.com/path",
    "user@acme.com",
    `${`${"a".repeat(60)}.`.repeat(5)}com`,
  ])("refuses %s as a hostname with a 422 on /domain", async (domain) => {
    const { error, response } = await a.POST("/v1/mailbox-domains", { body: { domain } });
    expect(response.status).toBe(422);
    expect(error?.errors).toEqual([expect.objectContaining({ pointer: "/domain" })]);
  });

  it("accepts a trailing dot and upper case as the same domain (409)", async () => {
    const name = `acme-${fresh()}.com`;
    await newDomain(name);
    const { response, error } = await a.POST("/v1/mailbox-domains", { body: { domain: `${name.toUpperCase()}.` } });
    expect(response.status).toBe(409);
    expect(error?.code).toBe("already_exists");
  });

  it("cannot be deleted while a sender identity uses it, and can once it is gone", async () => {
    const domain = await newDomain();
    const identity = await a.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "Billing", email: `billing@${domain.domain}` },
    });
    const del = () => a.DELETE("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: domain.id } } });
    const refused = await del();
    expect(refused.response.status).toBe(409);
    expect(refused.error?.code).toBe("domain_in_use");
    await a.DELETE("/v1/sender-identities/{identity_id}", { params: { path: { identity_id: identity.data!.id } } });
    expect((await del()).response.status).toBe(204);
  });
});

describe("sender identities", () => {
  it("creates an unverified identity with its domain embedded", async () => {
    const domain = await newDomain();
    const { data, response } = await a.POST("/v1/sender-identities", {
      body: {
        domain_id: domain.id,
        name: "Acme Billing",
        email: `Billing@${domain.domain.toUpperCase()}`,
        reply_to_email: "accounts@acme-logistics.com",
        add_note: true,
        personal_note: "Hi Marta",
      },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({
      email: `Billing@${domain.domain}`,
      name: "Acme Billing",
      is_verified: false,
      resends: 0,
      add_note: true,
      personal_note: "Hi Marta",
      reply_to_email: "accounts@acme-logistics.com",
      reply_to_name: null,
      domain: { id: domain.id, name: domain.domain, created_at: domain.created_at },
    });
    expect(response.headers.get("location")).toBe(`/v1/sender-identities/${data!.id}`);
  });

  it("needs one of the account's domains, and an email on it", async () => {
    const domain = await newDomain();
    const unknownDomain = await a.POST("/v1/sender-identities", {
      body: { domain_id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01", name: "X", email: `x@${domain.domain}` },
    });
    expect(unknownDomain.response.status).toBe(422);
    expect(unknownDomain.error?.errors?.[0]?.pointer).toBe("/domain_id");
    const elsewhere = await a.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "X", email: `x@sub.${domain.domain}` },
    });
    expect(elsewhere.response.status).toBe(422);
    expect(elsewhere.error?.errors?.[0]?.pointer).toBe("/email");
  });

  it("refuses a From or Reply-To address mail cannot go to", async () => {
    const domain = await newDomain();
    const body = { domain_id: domain.id, name: "Acme Billing", email: `billing-${fresh()}@${domain.domain}` };
    const tooLong = await a.POST("/v1/sender-identities", {
      body: { ...body, email: `${"b".repeat(65)}@${domain.domain}` },
    });
    expect(tooLong.response.status).toBe(422);
    expect(tooLong.error?.errors).toEqual([
      { pointer: "/email", message: "has a local part over 64 octets (RFC 5321 §4.5.3.1.1)" },
    ]);
    const numeric = await a.POST("/v1/sender-identities", { body: { ...body, reply_to_email: "replies@10.0.0.1" } });
    expect(numeric.response.status).toBe(422);
    expect(numeric.error?.errors?.[0]?.pointer).toBe("/reply_to_email");
    const created = await a.POST("/v1/sender-identities", { body });
    expect(created.response.status).toBe(201);
    const path = { params: { path: { identity_id: created.data!.id } } };
    const updated = await a.PUT("/v1/sender-identities/{identity_id}", {
      ...path,
      body: { reply_to_email: "replies@192.168.1.10" },
    });
    expect(updated.response.status).toBe(422);
    expect(updated.error?.errors?.[0]?.pointer).toBe("/reply_to_email");
    const kept = await a.GET("/v1/sender-identities/{identity_id}", path);
    expect(kept.data!.reply_to_email).toBeNull();
  });

  it("holds the 191-character limits and refuses line breaks in names", async () => {
    const domain = await newDomain();
    const long = await a.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "N".repeat(192), email: `${"l".repeat(180)}@${domain.domain}` },
    });
    expect(long.response.status).toBe(422);
    expect(long.error?.errors?.map((e) => e.pointer).sort()).toEqual(["/email", "/name"]);
    const exactly = await a.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "N".repeat(191), email: `ok@${domain.domain}` },
    });
    expect(exactly.response.status).toBe(201);
    for (const name of ["Acme\r\nBcc: victim@example.org", "Acme\nBilling"]) {
      const injected = await a.POST("/v1/sender-identities", {
        body: { domain_id: domain.id, name, email: `inj-${fresh()}@${domain.domain}` },
      });
      expect(injected.response.status).toBe(422);
      expect(injected.error?.errors?.[0]?.pointer).toBe("/name");
    }
  });

  it("is unique per account, case-insensitively", async () => {
    const domain = await newDomain();
    await a.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "A", email: `team@${domain.domain}` },
    });
    const dup = await a.POST("/v1/sender-identities", {
      body: { domain_id: domain.id, name: "B", email: `TEAM@${domain.domain}` },
    });
    expect(dup.response.status).toBe(409);
  });

  it("PUT changes only the fields given, and a new email makes it unverified", async () => {
    const domain = await newDomain();
    const created = (
      await a.POST("/v1/sender-identities", {
        body: {
          domain_id: domain.id,
          name: "Billing",
          email: `billing@${domain.domain}`,
          reply_to_name: "Accounts",
          add_note: true,
          personal_note: "Hello",
        },
      })
    ).data!;
    const path = { params: { path: { identity_id: created.id } } };
    const renamed = await a.PUT("/v1/sender-identities/{identity_id}", { ...path, body: { name: "Invoices" } });
    expect(renamed.data).toMatchObject({
      name: "Invoices",
      email: created.email,
      reply_to_name: "Accounts",
      add_note: true,
      personal_note: "Hello",
    });
    expect(renamed.data!.updated_at >= created.updated_at).toBe(true);
    const cleared = await a.PUT("/v1/sender-identities/{identity_id}", {
      ...path,
      body: { reply_to_name: null, personal_note: null, add_note: false },
    });
    expect(cleared.data).toMatchObject({ name: "Invoices", reply_to_name: null, personal_note: null, add_note: false });
    const moved = await a.PUT("/v1/sender-identities/{identity_id}", {
      ...path,
      body: { email: `invoices@${domain.domain}` },
    });
    expect(moved.data).toMatchObject({ email: `invoices@${domain.domain}`, is_verified: false, verified_at: null });
    const reread = (await a.GET("/v1/sender-identities/{identity_id}", path)).data!;
    expect({ ...reread, verification: null }).toEqual({ ...moved.data!, verification: null });
    const wrongDomain = await a.PUT("/v1/sender-identities/{identity_id}", {
      ...path,
      body: { email: "x@other-domain.org" },
    });
    expect(wrongDomain.response.status).toBe(422);
  });

  it("PUT can move an identity to another domain of the account together with its email", async () => {
    const first = await newDomain();
    const second = await newDomain();
    const created = (
      await a.POST("/v1/sender-identities", {
        body: { domain_id: first.id, name: "Billing", email: `billing@${first.domain}` },
      })
    ).data!;
    const path = { params: { path: { identity_id: created.id } } };
    const alone = await a.PUT("/v1/sender-identities/{identity_id}", { ...path, body: { domain_id: second.id } });
    expect(alone.response.status).toBe(422);
    const both = await a.PUT("/v1/sender-identities/{identity_id}", {
      ...path,
      body: { domain_id: second.id, email: `billing@${second.domain}` },
    });
    expect(both.data!.domain.id).toBe(second.id);
  });

  it("lists by domain", async () => {
    const first = await newDomain();
    const second = await newDomain();
    await a.POST("/v1/sender-identities", { body: { domain_id: first.id, name: "A", email: `a@${first.domain}` } });
    await a.POST("/v1/sender-identities", { body: { domain_id: second.id, name: "B", email: `b@${second.domain}` } });
    const listed = await a.GET("/v1/sender-identities", { params: { query: { domain_id: second.id } } });
    expect(listed.data!.data.map((i) => i.email)).toEqual([`b@${second.domain}`]);
    const byEmail = await a.GET("/v1/sender-identities", {
      params: { query: { email: `A@${first.domain.toUpperCase()}` } },
    });
    expect(byEmail.data!.data.map((i) => i.email)).toEqual([`a@${first.domain}`]);
    const both = { email: `a@${first.domain}`, domain_id: second.id };
    expect((await a.GET("/v1/sender-identities", { params: { query: both } })).data!.data).toEqual([]);
  });
});
