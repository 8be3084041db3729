import { createSocket } from "node:dgram";
import { inject } from "vitest";
import { publish } from "../../support/dns-server.js";
import { inProcessServer } from "../../support/in-process.js";
import type { CaseContext, ContractCase } from "../harness.js";
import { contextFor, unknownId } from "../harness.js";
import { authAndFailureCases, malformedParameter, oversized, TOO_LONG_KEY } from "./common.js";

type Domain = { id: string; domain: string; dns_records: { name: string; value: string }[] };

/** A new domain whose ownership record is published on the test DNS server (server target). */
async function published(ctx: CaseContext): Promise<Domain> {
  const domain = (await create(ctx)) as unknown as Domain;
  if (ctx.target.kind === "server") {
    const ownership = domain.dns_records[0]!;
    publish(inject("server").dnsZoneDir, ownership.name, { TXT: [[ownership.value]] });
  }
  return domain;
}

/** A loopback UDP port with a socket that reads and never answers. */
async function silentUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  socket.unref();
  return socket.address().port;
}

const domainName = (ctx: CaseContext) => `mail-${ctx.unique()}.acme-logistics.com`;
const create = async (ctx: CaseContext) =>
  (await ctx.prepare({ method: "POST", path: "/v1/mailbox-domains", json: { domain: domainName(ctx) } })) as {
    id: string;
    domain: string;
  };
const path = (id: string) => `/v1/mailbox-domains/${id}`;

export const mailboxDomainCases: ContractCase[] = [
  {
    operationId: "listMailboxDomains",
    status: 200,
    name: "a filtered page",
    request: () => ({ method: "GET", path: "/v1/mailbox-domains?status=pending&page[size]=5" }),
  },
  {
    operationId: "listMailboxDomains",
    status: 400,
    name: "an unknown status",
    request: () => ({ method: "GET", path: "/v1/mailbox-domains?status=approved" }),
  },
  ...authAndFailureCases("listMailboxDomains", () => ({ method: "GET", path: "/v1/mailbox-domains" })),

  {
    operationId: "createMailboxDomain",
    status: 201,
    name: "a new domain",
    request: (ctx) => ({ method: "POST", path: "/v1/mailbox-domains", json: { domain: domainName(ctx) } }),
  },
  {
    operationId: "createMailboxDomain",
    status: 400,
    name: "a malformed Idempotency-Key",
    request: (ctx) => {
      const json = { domain: domainName(ctx) };
      return malformedParameter(
        { method: "POST", path: "/v1/mailbox-domains", json, headers: TOO_LONG_KEY },
        { method: "POST", path: "/v1/mailbox-domains", json },
      )(ctx);
    },
  },
  {
    operationId: "createMailboxDomain",
    status: 409,
    name: "a domain the account already has",
    request: async (ctx) => {
      const json = { domain: domainName(ctx) };
      await ctx.prepare({ method: "POST", path: "/v1/mailbox-domains", json });
      return { method: "POST", path: "/v1/mailbox-domains", json: { domain: json.domain.toUpperCase() } };
    },
  },
  {
    operationId: "createMailboxDomain",
    status: 413,
    name: "a body over the limit",
    request: (ctx) => ({ method: "POST", path: "/v1/mailbox-domains", ...oversized({ domain: domainName(ctx) }) }),
  },
  {
    operationId: "createMailboxDomain",
    status: 415,
    name: "a text/plain body",
    request: () => ({
      method: "POST",
      path: "/v1/mailbox-domains",
      raw: "acme-logistics.com",
      contentType: "text/plain",
    }),
  },
  {
    operationId: "createMailboxDomain",
    status: 422,
    name: "a name that is not a hostname",
    request: () => ({ method: "POST", path: "/v1/mailbox-domains", json: { domain: "acme logistics!" } }),
  },
  ...authAndFailureCases("createMailboxDomain", (ctx) => ({
    method: "POST",
    path: "/v1/mailbox-domains",
    json: { domain: domainName(ctx) },
  })),

  {
    operationId: "getMailboxDomain",
    status: 200,
    name: "a domain just created",
    request: async (ctx) => ({ method: "GET", path: path((await create(ctx)).id) }),
  },
  {
    operationId: "getMailboxDomain",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "GET", path: path("acme-logistics.com") }),
  },
  {
    operationId: "getMailboxDomain",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "GET", path: path(unknownId()) }),
  },
  ...authAndFailureCases("getMailboxDomain", () => ({ method: "GET", path: path(unknownId()) })),

  {
    operationId: "deleteMailboxDomain",
    status: 204,
    name: "an unused domain",
    request: async (ctx) => ({ method: "DELETE", path: path((await create(ctx)).id) }),
  },
  {
    operationId: "deleteMailboxDomain",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "DELETE", path: path("0") }),
  },
  {
    operationId: "deleteMailboxDomain",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "DELETE", path: path(unknownId()) }),
  },
  {
    operationId: "deleteMailboxDomain",
    status: 409,
    name: "a domain a sender identity uses",
    request: async (ctx) => {
      const domain = await create(ctx);
      await ctx.prepare({
        method: "POST",
        path: "/v1/sender-identities",
        json: { domain_id: domain.id, name: "Billing", email: `billing@${domain.domain}` },
      });
      return { method: "DELETE", path: path(domain.id) };
    },
  },
  ...authAndFailureCases("deleteMailboxDomain", () => ({ method: "DELETE", path: path(unknownId()) })),

  {
    operationId: "verifyMailboxDomain",
    status: 200,
    name: "records looked up live",
    request: async (ctx) => ({ method: "POST", path: `${path((await published(ctx)).id)}/verify` }),
  },
  {
    operationId: "verifyMailboxDomain",
    status: 400,
    name: "a malformed id",
    request: () => ({ method: "POST", path: `${path("x")}/verify` }),
  },
  {
    operationId: "verifyMailboxDomain",
    status: 404,
    name: "an unknown id",
    request: () => ({ method: "POST", path: `${path(unknownId())}/verify` }),
  },
  {
    operationId: "verifyMailboxDomain",
    status: 409,
    example: "verified_by_another_account",
    name: "a domain another account verified first",
    request: async (ctx) => {
      const mine = await published(ctx);
      if (ctx.target.kind === "server") {
        const server = inject("server");
        const other = { ...ctx.target, apiKey: server.otherApiKey };
        const theirs = (await contextFor(other).prepare({
          method: "POST",
          path: "/v1/mailbox-domains",
          json: { domain: mine.domain },
        })) as Domain;
        publish(server.dnsZoneDir, theirs.dns_records[0]!.name, {
          TXT: [[mine.dns_records[0]!.value], [theirs.dns_records[0]!.value]],
        });
        await contextFor(other).prepare({ method: "POST", path: `${path(theirs.id)}/verify` });
      }
      return { method: "POST", path: `${path(mine.id)}/verify` };
    },
  },
  {
    operationId: "verifyMailboxDomain",
    status: 503,
    name: "a resolver that does not answer",
    request: async (ctx) => {
      if (ctx.target.kind !== "server") return { method: "POST", path: `${path(unknownId())}/verify` };
      // A server of its own whose resolver is a UDP port nothing answers on.
      const silent = await silentUdpPort();
      const server = await inProcessServer({ env: { DNS_SERVERS: `127.0.0.1:${silent}`, DNS_TIMEOUT_MS: "300" } });
      const key = await server.createKey("dns-down");
      const created = await fetch(`${server.url}/v1/mailbox-domains`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ domain: domainName(ctx) }),
      });
      const { id } = (await created.json()) as { id: string };
      return {
        method: "POST",
        path: `${path(id)}/verify`,
        baseUrl: server.url,
        headers: { authorization: `Bearer ${key}` },
        auth: false,
      };
    },
  },
  ...authAndFailureCases("verifyMailboxDomain", () => ({ method: "POST", path: `${path(unknownId())}/verify` })),
];
