import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startDnsServer } from "../support/dns-server.js";
import { eventually } from "../support/mail.js";
import { startLoggedServer } from "../support/processes.js";

// Results as a CSV file, and a CSV file as a job's input, on a real server process: 100,000
// addresses (90,000 malformed, 10,000 at one domain whose probe is off), so the job completes in
// seconds. Memory while downloading is measured by `npm run bench:csv` (bench/README.md).
let server: Awaited<ReturnType<typeof startLoggedServer>>;
let dns: Awaited<ReturnType<typeof startDnsServer>>;
const emails = Array.from({ length: 100_000 }, (_, i) =>
  i % 10 === 0 ? `user${String(i).padStart(6, "0")}@csv.test` : `malformed-${String(i).padStart(6, "0")}`,
);

beforeAll(async () => {
  dns = await startDnsServer();
  dns.publish("csv.test", { MX: [{ priority: 10, exchange: "mx.csv.test" }] });
  dns.publish("mx.csv.test", { A: ["192.0.2.10"] });
  server = await startLoggedServer({ DNS_SERVERS: dns.server, VALIDATION_SMTP_PROBE: "false", BULK_BODY_LIMIT: "5mb" });
});
afterAll(async () => {
  await server.stop();
  await dns.close();
});

const headers = () => ({ authorization: `Bearer ${server.key}` });
function completed(location: string): Promise<{ status: string; counts: Record<string, number> }> {
  return eventually(async () => {
    // A poll can meet a keep-alive connection the busy server is closing (ECONNRESET): poll again,
    // as a client does.
    const response = await fetch(`${server.url}${location}?page[size]=1`, { headers: headers() }).catch(() => null);
    const job = response && ((await response.json()) as { status: string; counts: Record<string, number> });
    return job && job.status !== "queued" && job.status !== "processing" ? job : undefined;
  }, 110_000);
}
const csvOf = (rows: string[][]) => `${rows.map((r) => r.join(",")).join("\r\n")}\r\n`;

describe("email validations as CSV", () => {
  let location: string;

  it("takes a 100,000-row CSV file as it takes the JSON body, reading the column named email", async () => {
    const created = await fetch(`${server.url}/v1/email-validations`, {
      method: "POST",
      headers: { ...headers(), "content-type": "text/csv" },
      body: csvOf([["id", "Email", "note"], ...emails.map((email, i) => [String(i), email, "x"])]),
    });
    expect(created.status).toBe(202);
    location = created.headers.get("location")!;
    const job = await completed(location);
    expect(job).toMatchObject({
      status: "completed",
      counts: { total: 100_000, processed: 100_000, undeliverable: 90_000, unknown: 10_000 },
    });
  }, 120_000);

  it("streams every result as CSV, in email order, with a header row", async () => {
    const response = await fetch(`${server.url}${location}/results`, { headers: { ...headers(), accept: "text/csv" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="email-validation-.+\.csv"$/);
    const rows = parse(await response.text()) as string[][];
    expect(rows[0]).toEqual(["email", "result", "reason", "catch_all", "did_you_mean", "mx", "smtp_code"]);
    const data = rows.slice(1);
    expect(data.map((r) => r[0])).toEqual([...emails].sort());
    expect(data.find((r) => r[0] === "user000010@csv.test")).toEqual([
      "user000010@csv.test",
      "unknown",
      "probe_disabled",
      "",
      "",
      "mx.csv.test",
      "",
    ]);
    expect(data.find((r) => r[0] === "malformed-000001")?.slice(1, 3)).toEqual(["undeliverable", "invalid_syntax"]);
  }, 60_000);

  it("keeps only the results asked for", async () => {
    const only = async (query: string) =>
      parse(await (await fetch(`${server.url}${location}/results?${query}`, { headers: headers() })).text()).slice(1);
    expect((await only("result=unknown")).length).toBe(10_000);
    expect((await only("result=deliverable,risky")).length).toBe(0);
    expect((await only("result=unknown,undeliverable")).length).toBe(100_000);
    const bad = await fetch(`${server.url}${location}/results?result=maybe`, { headers: headers() });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  }, 60_000);

  it("takes the first column when none is named email, and refuses a file without rows", async () => {
    const post = (body: string) =>
      fetch(`${server.url}/v1/email-validations`, {
        method: "POST",
        headers: { ...headers(), "content-type": "text/csv" },
        body,
      });
    const first = await post(
      csvOf([
        ["address", "name"],
        ["ana@csv.test", "Ana"],
        ["bo@csv.test", "Bo"],
      ]),
    );
    expect(first.status).toBe(202);
    const job = await completed(first.headers.get("location")!);
    expect(job.counts.total).toBe(2);
    const csv = await (
      await fetch(`${server.url}${first.headers.get("location")}/results`, { headers: headers() })
    ).text();
    expect(parse(csv).map((r: string[]) => r[0])).toEqual(["email", "ana@csv.test", "bo@csv.test"]);
    for (const body of ["email\r\n", ""]) {
      const refused = await post(body);
      expect(refused.status).toBe(422);
      expect(await refused.json()).toMatchObject({ code: "validation_failed", errors: [{ pointer: "/emails" }] });
    }
    const unterminated = await post('email\r\n"ana@csv.test\r\n');
    expect(unterminated.status).toBe(422);
    const tooMany = await post(csvOf([["email"], ...Array.from({ length: 100_001 }, (_, i) => [`u${i}@csv.test`])]));
    expect(tooMany.status).toBe(422);
    expect(await tooMany.json()).toMatchObject({
      errors: [{ pointer: "/emails", message: "must hold at most 100000 addresses" }],
    });
  }, 60_000);

  it("reads Excel's exports and a bare list of addresses, every address of each", async () => {
    const addressesOf = async (body: BodyInit, contentType = "text/csv") => {
      const created = await fetch(`${server.url}/v1/email-validations`, {
        method: "POST",
        headers: { ...headers(), "content-type": contentType },
        body,
      });
      expect(created.status).toBe(202);
      await completed(created.headers.get("location")!);
      const csv = await (
        await fetch(`${server.url}${created.headers.get("location")}/results`, { headers: headers() })
      ).text();
      return parse(csv)
        .slice(1)
        .map((r: string[]) => r[0]);
    };
    // "Unicode text": UTF-16LE with its byte order mark, tab-separated.
    const unicodeText = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from("Name\tE-mail\r\nZoë\tzoe@csv.test\r\n", "utf16le"),
    ]);
    expect(await addressesOf(new Blob([unicodeText]))).toEqual(["zoe@csv.test"]);
    // "CSV" where the decimal mark is a comma: semicolons, in the Windows code page.
    const semicolons = Buffer.from("Name;Email Address\r\nJosé;jose@csv.test\r\n", "latin1");
    expect(await addressesOf(new Blob([semicolons]), "text/csv; charset=windows-1252")).toEqual(["jose@csv.test"]);
    expect(await addressesOf("ana@csv.test\nbo@csv.test\n")).toEqual(["ana@csv.test", "bo@csv.test"]);
  }, 60_000);

  it("lets a client hang up part-way without an error, and serves the next download whole", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}${location}/results`, { headers: headers(), signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    const again = await fetch(`${server.url}${location}/results?result=unknown`, { headers: headers() });
    expect(parse(await again.text())).toHaveLength(10_001);
    await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(server.logFile, "utf8")).not.toMatch(/"level":"error"/);
  });

  it("answers 404 for a job of another account, before any CSV", async () => {
    const response = await fetch(`${server.url}/v1/email-validations/5b7e2c4d-1a3f-4e6b-8c9d-0f1e2a3b4c5d/results`, {
      headers: headers(),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });
});

describe("the mock", () => {
  const mock = inject("targets").find((t) => t.kind === "mock")!;

  it("serves the contract's CSV example for a download, and takes a CSV upload", async () => {
    const auth = { authorization: `Bearer ${mock.apiKey}` };
    const download = await fetch(`${mock.baseUrl}/v1/email-validations/5b7e2c4d-1a3f-4e6b-8c9d-0f1e2a3b4c5d/results`, {
      headers: { ...auth, accept: "text/csv" },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toMatch(/^text\/csv/);
    expect((await download.text()).split("\n")[0]).toBe("email,result,reason,catch_all,did_you_mean,mx,smtp_code");
    const upload = await fetch(`${mock.baseUrl}/v1/email-validations`, {
      method: "POST",
      headers: { ...auth, "content-type": "text/csv" },
      body: "email\nana@example.com\n",
    });
    expect(upload.status).toBe(202);
  });
});
