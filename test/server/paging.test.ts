import { describe, expect, inject, it } from "vitest";
import { createClient, cursorOf } from "../../client/src/index.js";
import { fresh, raw } from "../support/api.js";
import { createKey } from "../support/real-server.js";

// Keyset paging on every list: each item exactly once, newest first, links that walk both ways,
// and pages that do not shift while new items are inserted.
const server = inject("server");

async function freshAccount() {
  const apiKey = await createKey(server.env, `paging-${fresh()}`);
  return { apiKey, client: createClient({ baseUrl: server.baseUrl, apiKey }) };
}

describe("cursor paging", () => {
  it("walks forward and back through every item exactly once, newest first", async () => {
    const { client } = await freshAccount();
    const created: string[] = [];
    for (let i = 0; i < 7; i++)
      created.push(
        (await client.POST("/v1/destinations", { body: { email: `p${i}-${fresh()}@acme-logistics.com` } })).data!.id,
      );
    const newestFirst = [...created].reverse();

    const pages: string[][] = [];
    let after: string | null = null;
    const prevLinks: (string | null)[] = [];
    do {
      const { data } = await client.GET("/v1/destinations", {
        params: { query: { page: { size: 3, ...(after ? { after } : {}) } } },
      });
      pages.push(data!.data.map((d) => d.id));
      prevLinks.push(data!.links.prev);
      after = cursorOf(data!.links.next);
    } while (after);
    expect(pages).toEqual([newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)]);
    expect(prevLinks[0]).toBeNull();

    // From the last page, `prev` leads back to the middle page, and from there to the first.
    const back1 = await client.GET("/v1/destinations", {
      params: { query: { page: { size: 3, after: cursorOf(prevLinks[2]!)! } } },
    });
    expect(back1.data!.data.map((d) => d.id)).toEqual(pages[1]);
    const back2 = await client.GET("/v1/destinations", {
      params: { query: { page: { size: 3, after: cursorOf(back1.data!.links.prev)! } } },
    });
    expect(back2.data!.data.map((d) => d.id)).toEqual(pages[0]);
    expect(back2.data!.links.prev).toBeNull();
    expect(cursorOf(back2.data!.links.next)).not.toBeNull();
  });

  it("does not skip or repeat items while others are being inserted", async () => {
    const { client } = await freshAccount();
    const before: string[] = [];
    for (let i = 0; i < 10; i++)
      before.push(
        (await client.POST("/v1/destinations", { body: { email: `c${i}-${fresh()}@acme-logistics.com` } })).data!.id,
      );
    const seen: string[] = [];
    let after: string | null = null;
    let inserted = 0;
    do {
      const { data } = await client.GET("/v1/destinations", {
        params: { query: { page: { size: 4, ...(after ? { after } : {}) } } },
      });
      seen.push(...data!.data.map((d) => d.id));
      after = cursorOf(data!.links.next);
      // Between pages, other writers add items (they sort before everything already listed).
      await Promise.all(
        [0, 1, 2].map(() =>
          client.POST("/v1/destinations", { body: { email: `n${inserted++}-${fresh()}@acme-logistics.com` } }),
        ),
      );
    } while (after);
    expect(seen).toEqual([...before].reverse());
  });

  it("keeps filters in the links and pages every family's list", async () => {
    const { apiKey, client } = await freshAccount();
    const domains: string[] = [];
    for (let i = 0; i < 3; i++)
      domains.push((await client.POST("/v1/mailbox-domains", { body: { domain: `pg${i}-${fresh()}.com` } })).data!.id);
    for (const domainId of domains.slice(0, 1)) {
      const d = (await client.GET("/v1/mailbox-domains/{domain_id}", { params: { path: { domain_id: domainId } } }))
        .data!;
      for (let i = 0; i < 3; i++)
        await client.POST("/v1/sender-identities", {
          body: { domain_id: domainId, name: `N${i}`, email: `n${i}@${d.domain}` },
        });
    }
    const firstDomains = await raw({ ...server, apiKey }, "GET", "/v1/mailbox-domains?status=pending&page[size]=2");
    const links = firstDomains.json!.links as { next: string };
    expect(decodeURIComponent(links.next)).toContain("status=pending");
    const second = await raw({ ...server, apiKey }, "GET", links.next);
    expect((second.json!.data as unknown[]).length).toBe(1);

    const identities = await raw(
      { ...server, apiKey },
      "GET",
      `/v1/sender-identities?domain_id=${domains[0]}&page[size]=2`,
    );
    const next = (identities.json!.links as { next: string }).next;
    expect(next).toContain(`domain_id=${domains[0]}`);
    expect(((await raw({ ...server, apiKey }, "GET", next)).json!.data as unknown[]).length).toBe(1);
  });
});
