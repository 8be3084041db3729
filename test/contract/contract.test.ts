import { describe, expect, inject, it } from "vitest";
import { operations } from "../support/openapi.js";
import { accountCases } from "./cases/account.js";
import { destinationCases } from "./cases/destinations.js";
import { emailValidationCases } from "./cases/email-validations.js";
import { mailboxDomainCases } from "./cases/mailbox-domains.js";
import { publicCases } from "./cases/public.js";
import { senderIdentityCases } from "./cases/sender-identities.js";
import { storageFullCases } from "./cases/storage-full.js";
import { webhookEndpointCases } from "./cases/webhook-endpoints.js";
import { type ContractCase, contextFor, expectContract, send } from "./harness.js";

// One suite, every target: the same requests and the same assertions against the Prism mock
// and (once it exists) the real server.
const cases: ContractCase[] = [
  ...accountCases,
  ...destinationCases,
  ...senderIdentityCases,
  ...mailboxDomainCases,
  ...emailValidationCases,
  ...publicCases,
  ...storageFullCases,
  ...webhookEndpointCases,
];

describe.each(inject("targets"))("contract against the $kind", (target) => {
  const produced = new Set<string>();
  const ctx = contextFor(target);
  const mine = cases.filter(
    (c) => (!c.targets || c.targets.includes(target.kind)) && !exempt(target.kind, `${c.operationId} ${c.status}`),
  );

  it.each(mine.map((c) => [`${c.operationId} ${c.status}: ${c.name}`, c] as const))("%s", async (_, c) => {
    const spec = await c.request(ctx);
    const prefer = `code=${c.status}${c.example ? `, example=${c.example}` : ""}`;
    await expectContract(await send(target, spec, prefer), c.operationId, c.status);
    produced.add(`${c.operationId} ${c.status}`);
  });

  it("produced every documented (operation, status) pair", () => {
    const documented = operations.flatMap((op) => op.statuses.map((s) => `${op.operationId} ${s}`));
    const missing = documented.filter((pair) => !produced.has(pair) && !exempt(target.kind, pair));
    expect(missing).toEqual([]);
  });
});

/**
 * Pairs a target is not expected to produce. The mock produces everything (Prism serves any
 * documented status on request); the real server everything but 500, which no client request
 * may cause. (Every operation is implemented: the not-implemented list that stood here is empty
 * and gone.)
 */
function exempt(kind: "mock" | "server", pair: string): boolean {
  return kind === "server" && pair.endsWith(" 500");
}
