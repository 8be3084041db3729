import { afterEach, describe, expect, it } from "vitest";
import {
  createClient,
  type EmailValidation,
  MailproofError,
  type Problem,
  paginate,
  resendDestination,
  validateEmails,
  validationResults,
} from "../../client/src/index.js";
import { document } from "../support/openapi.js";
import { type Reply, type Seen, scriptedServer } from "../support/scripted-server.js";

// The contract's own examples are the fixtures: the helpers are fed what the API really sends.
const example = <T>(name: string) => (document.components.examples as Record<string, { value: T }>)[name]!.value;
const destinations = example<{ data: { id: string }[] }>("DestinationList").data;
const queued = example<EmailValidation>("EmailValidationQueued");
const completed = example<EmailValidation>("EmailValidationCompleted");
const problem = (code: Problem["code"], status: number): Problem => ({
  type: "about:blank",
  title: code,
  status,
  detail: code,
  code,
});

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(script: Parameters<typeof scriptedServer>[0]) {
  const server = await scriptedServer(script);
  close = server.close;
  return { client: createClient({ baseUrl: server.url, apiKey: "mp_test_key" }), seen: server.seen };
}
const query = (s: Seen) => new URL(s.url, "http://x").searchParams;

describe("paginate", () => {
  it("follows links.next across pages, with the key and the filters on every request", async () => {
    const { client, seen } = await serve((req) => {
      const after = query(req).get("page[after]");
      const page = after === null ? 0 : Number(after);
      return {
        status: 200,
        json: {
          data: [destinations[page % 2]],
          links: {
            self: req.url,
            next: page < 2 ? `/v1/destinations?status=pending&page[size]=1&page[after]=${page + 1}` : null,
            prev: null,
          },
        },
      };
    });
    const ids: string[] = [];
    for await (const d of paginate(client, "/v1/destinations", { status: "pending" }, { pageSize: 1 })) ids.push(d.id);
    expect(ids).toEqual([destinations[0]!.id, destinations[1]!.id, destinations[0]!.id]);
    expect(seen.map((s) => query(s).get("page[after]"))).toEqual([null, "1", "2"]);
    for (const s of seen) {
      expect(s.headers.authorization).toBe("Bearer mp_test_key");
      expect(query(s).get("status")).toBe("pending");
      expect(query(s).get("page[size]")).toBe("1");
    }
  });

  it("throws the typed problem when a page fails", async () => {
    const { client } = await serve(() => ({ status: 401, json: problem("unauthorized", 401) }));
    const error = await (async () => {
      for await (const _ of paginate(client, "/v1/mailbox-domains")) void _;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailproofError);
    expect((error as MailproofError).code).toBe("unauthorized");
    expect((error as MailproofError).status).toBe(401);
  });
});

describe("validateEmails", () => {
  it("polls only after each Retry-After and resolves with the terminal job", async () => {
    const { client, seen } = await serve((req, i): Reply => {
      if (req.method === "POST")
        return {
          status: 202,
          headers: { location: `/v1/email-validations/${queued.id}`, "retry-after": "1" },
          json: queued,
        };
      if (i === 1) return { status: 200, headers: { "retry-after": "1" }, json: { ...queued, status: "processing" } };
      return { status: 200, json: completed };
    });
    const progress: string[] = [];
    const job = await validateEmails(client, ["marta.novak@acme-logistics.com"], {
      onProgress: (j) => progress.push(j.status),
    });
    expect(job.status).toBe("completed");
    expect(job.counts).toEqual(completed.counts);
    expect(progress).toEqual(["processing", "completed"]);
    expect(JSON.parse(seen[0]!.body)).toEqual({ emails: ["marta.novak@acme-logistics.com"] });
    expect(seen.map((s) => s.method)).toEqual(["POST", "GET", "GET"]);
    // Each poll waited at least the Retry-After the previous answer asked for.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(950);
  });

  it("stops waiting on abort, and cancels the job when asked to", async () => {
    const { client, seen } = await serve((req) => {
      if (req.method === "POST")
        return {
          status: 202,
          headers: { location: `/v1/email-validations/${queued.id}`, "retry-after": "30" },
          json: queued,
        };
      return { status: 200, json: { ...queued, status: "canceled" } };
    });
    const controller = new AbortController();
    const waiting = validateEmails(client, ["a@acme-logistics.com"], {
      signal: controller.signal,
      cancelOnAbort: true,
    });
    setTimeout(() => controller.abort(new Error("user left the page")), 100);
    await expect(waiting).rejects.toThrow("user left the page");
    expect(seen.map((s) => s.method)).toEqual(["POST", "PATCH"]);
    expect(seen[1]!.url).toBe(`/v1/email-validations/${queued.id}`);
    expect(JSON.parse(seen[1]!.body)).toEqual({ status: "canceled" });
  });

  it("leaves the job running on abort by default", async () => {
    const { client, seen } = await serve(() => ({
      status: 202,
      headers: { location: `/v1/email-validations/${queued.id}`, "retry-after": "30" },
      json: queued,
    }));
    const controller = new AbortController();
    const waiting = validateEmails(client, ["a@acme-logistics.com"], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toThrow();
    expect(seen.map((s) => s.method)).toEqual(["POST"]);
  });

  it("pages through every result by email", async () => {
    const results = completed.results;
    const { client, seen } = await serve((req) => {
      const after = query(req).get("page[after]");
      const start = after === null ? 0 : results.findIndex((r) => r.email === after) + 1;
      const page = results.slice(start, start + 2);
      const last = start + 2 >= results.length;
      return {
        status: 200,
        json: {
          ...completed,
          results: page,
          links: {
            self: req.url,
            prev: null,
            next: last
              ? null
              : `/v1/email-validations/${completed.id}?page[size]=2&page[after]=${encodeURIComponent(
                  page.at(-1)!.email,
                )}`,
          },
        },
      };
    });
    const emails: string[] = [];
    for await (const r of validationResults(client, completed.id, { pageSize: 2 })) emails.push(r.email);
    expect(emails).toEqual(results.map((r) => r.email));
    expect(seen).toHaveLength(2);
  });
});

describe("resendDestination", () => {
  const id = destinations[0]!.id;

  it("surfaces a 429's Retry-After as a number, with the limit that was hit", async () => {
    const { client } = await serve(() => ({
      status: 429,
      headers: { "retry-after": "42" },
      json: problem("resend_too_soon", 429),
    }));
    const outcome = await resendDestination(client, id);
    expect(outcome).toMatchObject({ sent: false, code: "resend_too_soon", retryAfterSeconds: 42 });
  });

  it("returns the destination when sent", async () => {
    const resent = example<{ id: string }>("DestinationResent");
    const { client, seen } = await serve(() => ({ status: 200, json: resent }));
    const outcome = await resendDestination(client, id);
    expect(outcome).toEqual({ sent: true, resource: resent });
    expect(seen[0]!.url).toBe(`/v1/destinations/${id}/resend`);
  });

  it("throws the typed problem for other failures", async () => {
    const { client } = await serve(() => ({ status: 409, json: problem("already_verified", 409) }));
    await expect(resendDestination(client, id)).rejects.toMatchObject({
      status: 409,
      problem: { code: "already_verified" },
    });
  });
});
