import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLoggedServer } from "../support/processes.js";

// What one account's upload at the bulk limit (40 MB, the default) costs everyone else. The limit
// lets a body hold far more than the 100,000 addresses a job takes: millions of tiny items or
// cells. Such a body used to keep the whole API waiting while it was checked (18 s for a JSON
// array of 9 million one-letter strings, 6 s for a CSV file of 36 million empty cells, 33 s for
// 19 million rows, on the project's slower machine).
let server: Awaited<ReturnType<typeof startLoggedServer>>;

beforeAll(async () => {
  server = await startLoggedServer({ BULK_BODY_LIMIT: "40mb", VALIDATION_SMTP_PROBE: "false" });
});
afterAll(() => server.stop());

/** POSTs `body`; resolves with the answer, and calls `sent` once the whole body is written. */
function upload(contentType: string, body: string, sent: () => void): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/v1/email-validations`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.key}`, "content-type": contentType },
    });
    req.on("error", reject);
    req.on("finish", sent);
    req.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.end(body);
  });
}

describe("an upload at the bulk limit", () => {
  it("refuses a JSON array of millions of items as soon as it is parsed, naming how many it holds", async () => {
    const body = `{"emails":[${Array.from({ length: 9_000_000 }, () => '"a"').join(",")}]}`;
    const answer = await upload("application/json", body, () => {});
    expect(answer).toEqual({
      status: 422,
      json: expect.objectContaining({
        code: "validation_failed",
        // The count comes from the check made before the item-by-item ones; the validator does not say it.
        detail: "/emails must NOT have more than 100000 items (it has 9000000).",
        errors: [{ pointer: "/emails", message: "must NOT have more than 100000 items" }],
      }),
    });
  }, 60_000);

  it("reads a CSV file of millions of cells while the API answers other requests", async () => {
    // 9,000 rows of 4,001 empty cells: 36 MB, one job of one (empty, so malformed) address.
    const csv = `email\n${`${",".repeat(4000)}\n`.repeat(9000)}`;
    let answered = false;
    let readsMeanwhile = 0;
    const reads: Promise<void>[] = [];
    const created = upload("text/csv", csv, () => {
      // Once the file is on its way, another request every 100 ms until the upload is answered.
      const timer = setInterval(() => {
        if (answered) return clearInterval(timer);
        reads.push(
          fetch(`${server.url}/v1/account`, { headers: { authorization: `Bearer ${server.key}` } }).then((r) => {
            expect(r.status).toBe(200);
            if (!answered) readsMeanwhile++;
          }),
        );
      }, 100);
    });
    const answer = await created;
    answered = true;
    await Promise.all(reads);
    expect(answer.status).toBe(202);
    // Parsed in one go, the file held every request sent after it until it was answered (at most
    // the one or two sent while its body was still arriving got through).
    expect(readsMeanwhile).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
