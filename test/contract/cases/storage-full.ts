import { inject } from "vitest";
import { serverOnSmallDisk } from "../../support/in-process.js";
import type { CaseContext, ContractCase, RequestSpec } from "../harness.js";
import { once } from "./common.js";

// 507 storage_full, for every operation that writes: on the server, a SQLite server of the run's
// own on a 16 MB tmpfs that is filled to the last byte after a few resources were made (so that
// deletes, resends, updates and cancels have something to write about). Reads still work there.
const fullDisk = once(async () => {
  const disk = await serverOnSmallDisk({ DNS_SERVERS: inject("server").env.DNS_SERVERS ?? "", DNS_TIMEOUT_MS: "1000" });
  const post = async (path: string, body: object) => {
    const response = await fetch(disk.url + path, {
      method: "POST",
      headers: { authorization: `Bearer ${disk.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`preparing the full disk: ${path} ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  };
  const domain = await post("/v1/mailbox-domains", { domain: "full-disk.example" });
  const spareDomain = await post("/v1/mailbox-domains", { domain: "spare-full-disk.example" });
  const ids = {
    destination: await post("/v1/destinations", { email: "ana@full-disk.example" }),
    domain,
    spareDomain,
    identity: await post("/v1/sender-identities", {
      domain_id: domain,
      name: "Billing",
      email: "billing@full-disk.example",
    }),
    validation: await post("/v1/email-validations", { emails: ["ana@full-disk.example"] }),
    endpoint: await post("/v1/webhook-endpoints", { url: "https://hooks.full-disk.example/mailproof" }),
  };
  disk.fill();
  return { url: disk.url, key: disk.key, ids };
});

type Ids = Awaited<ReturnType<typeof fullDisk>>["ids"];

/** The mock gets the plain request (it serves the 507 example on request); the server the full disk. */
function onFullDisk(request: (ids: Ids | null, ctx: CaseContext) => RequestSpec): ContractCase["request"] {
  return async (ctx) => {
    if (ctx.target.kind !== "server") return request(null, ctx);
    const disk = await fullDisk();
    const spec = request(disk.ids, ctx);
    return {
      ...spec,
      baseUrl: disk.url,
      auth: false,
      headers: { ...spec.headers, authorization: `Bearer ${disk.key}` },
    };
  };
}

const any = "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01";
const full = (operationId: string, request: (ids: Ids | null, ctx: CaseContext) => RequestSpec): ContractCase => ({
  operationId,
  status: 507,
  name: "the server's disk is full",
  request: onFullDisk(request),
});

export const storageFullCases: ContractCase[] = [
  full("updateAccount", () => ({ method: "PATCH", path: "/v1/account", json: { display_name: "Acme Full Disk" } })),
  full("createDestination", (_, ctx) => ({
    method: "POST",
    path: "/v1/destinations",
    json: { email: `ana+${ctx.unique()}@acme-logistics.com` },
  })),
  full("resendDestination", (ids) => ({ method: "POST", path: `/v1/destinations/${ids?.destination ?? any}/resend` })),
  full("deleteDestination", (ids) => ({ method: "DELETE", path: `/v1/destinations/${ids?.destination ?? any}` })),
  full("createMailboxDomain", (_, ctx) => ({
    method: "POST",
    path: "/v1/mailbox-domains",
    json: { domain: `acme-${ctx.unique()}.com` },
  })),
  full("verifyMailboxDomain", (ids) => ({ method: "POST", path: `/v1/mailbox-domains/${ids?.domain ?? any}/verify` })),
  full("deleteMailboxDomain", (ids) => ({ method: "DELETE", path: `/v1/mailbox-domains/${ids?.spareDomain ?? any}` })),
  full("createSenderIdentity", (ids) => ({
    method: "POST",
    path: "/v1/sender-identities",
    json: { domain_id: ids?.domain ?? any, name: "Invoices", email: "invoices@full-disk.example" },
  })),
  full("updateSenderIdentity", (ids) => ({
    method: "PUT",
    path: `/v1/sender-identities/${ids?.identity ?? any}`,
    json: { name: "Billing Team" },
  })),
  full("resendSenderIdentity", (ids) => ({
    method: "POST",
    path: `/v1/sender-identities/${ids?.identity ?? any}/resend`,
  })),
  full("deleteSenderIdentity", (ids) => ({ method: "DELETE", path: `/v1/sender-identities/${ids?.identity ?? any}` })),
  full("createEmailValidation", () => ({
    method: "POST",
    path: "/v1/email-validations",
    json: { emails: ["ana@full-disk.example"] },
  })),
  full("cancelEmailValidation", (ids) => ({
    method: "PATCH",
    path: `/v1/email-validations/${ids?.validation ?? any}`,
    json: { status: "canceled" },
  })),
  full("deleteEmailValidation", (ids) => ({
    method: "DELETE",
    path: `/v1/email-validations/${ids?.validation ?? any}`,
  })),
  full("createWebhookEndpoint", (_, ctx) => ({
    method: "POST",
    path: "/v1/webhook-endpoints",
    json: { url: `https://hooks-${ctx.unique()}.full-disk.example/` },
  })),
  full("updateWebhookEndpoint", (ids) => ({
    method: "PATCH",
    path: `/v1/webhook-endpoints/${ids?.endpoint ?? any}`,
    json: { description: "Full disk" },
  })),
  full("deleteWebhookEndpoint", (ids) => ({ method: "DELETE", path: `/v1/webhook-endpoints/${ids?.endpoint ?? any}` })),
  full("rotateWebhookEndpointSecret", (ids) => ({
    method: "POST",
    path: `/v1/webhook-endpoints/${ids?.endpoint ?? any}/rotate-secret`,
  })),
  full("pingWebhookEndpoint", (ids) => ({
    method: "POST",
    path: `/v1/webhook-endpoints/${ids?.endpoint ?? any}/ping`,
  })),
];
