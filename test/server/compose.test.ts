import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inProcessServer } from "../support/in-process.js";

// One composition root (server/compose.ts) builds every service, for the API, the worker, the keys
// CLI and these tests.
let server: Awaited<ReturnType<typeof inProcessServer>>;
beforeAll(async () => {
  server = await inProcessServer();
});
afterAll(() => server.close());

describe("the composition root", () => {
  it("the mailbox-domain service the background re-check uses refuses to delete a domain in use", async () => {
    // A second MailboxDomainService was once built for the re-check, with a default usage of 0:
    // a delete through it would have passed the in-use check.
    const key = await server.createKey("compose");
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const post = async (path: string, body: object) =>
      (await (await fetch(server.url + path, { method: "POST", headers, body: JSON.stringify(body) })).json()) as {
        id: string;
      };
    const domain = await post("/v1/mailbox-domains", { domain: "in-use.example" });
    await post("/v1/sender-identities", { domain_id: domain.id, name: "Billing", email: "billing@in-use.example" });
    const account = (await server.services.accounts.authenticate(key))!.accountId;
    await expect(server.services.mailboxDomains.delete(account, domain.id)).rejects.toMatchObject({
      status: 409,
      code: "domain_in_use",
    });
  });

  it("is the only place a service or repository of the server is constructed", () => {
    const sources = execFileSync("git", ["ls-files", "server/*.ts"], { encoding: "utf8" }).split("\n").filter(Boolean);
    const offenders: string[] = [];
    for (const file of sources) {
      // Tests beside the code build what they test; the server itself builds in compose.ts only.
      if (file === "server/compose.ts" || file.endsWith(".test.ts")) continue;
      const source = readFileSync(file, "utf8");
      for (const match of source.matchAll(/new (\w+(?:Service|Repository))\(/g)) {
        // A repository may re-open itself on a transaction (`in(trx)`): the same object on another handle.
        if (source.includes(`export class ${match[1]} `)) continue;
        offenders.push(`${file}: new ${match[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
