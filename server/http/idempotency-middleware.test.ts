import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, openSqlite } from "../db/database.js";
import { sha256Hex } from "../shared/ids.js";
import { silentLogger } from "../shared/logger.js";
import { problemErrorHandler } from "./errors.js";
import { ABANDONED_AFTER_MS, canonicalJson, idempotency } from "./idempotency.js";
import { IdempotencyRepository } from "./idempotency-repository.js";

// The middleware itself, on a real Express app and a real (in-memory) SQLite table: what a retry
// gets, what is stored and what is not. The handler counts how often it really ran.
let base: string;
let db2: ReturnType<typeof openSqlite>;
let close: () => void;
let now = Date.parse("2026-11-20T12:00:00Z");
const ran: string[] = [];

beforeAll(async () => {
  const db = openSqlite(":memory:");
  await migrate(db);
  // Accounts the idempotency rows refer to.
  for (const id of ["acct-a", "acct-b"])
    await db.insertInto("accounts").values({ id, name: id, created_at: "2026-01-01T00:00:00Z" }).execute();
  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    res.locals.accountId = req.get("x-account") ?? "acct-a";
    next();
  });
  const guard = idempotency(new IdempotencyRepository(db), () => new Date(now), { waitForFirstMs: 600 });
  const handler: express.RequestHandler = async (req, res) => {
    const body = req.body as { status?: number; wait?: number; name?: string; failFirst?: boolean };
    ran.push(`${req.path} ${body.name ?? ""}`);
    const first = ran.filter((r) => r.endsWith(` ${body.name ?? ""}`)).length === 1;
    if (body.wait) await new Promise((r) => setTimeout(r, body.wait));
    if (body.status === 204) return void res.status(204).end();
    res
      .status(body.failFirst ? (first ? 503 : 201) : (body.status ?? 201))
      .set({ Location: `/things/${ran.length}`, "Retry-After": "7", "X-Other": "not replayed" })
      .json({ n: ran.length });
  };
  app.post(["/things", "/others", "/v1/things"], guard, handler);
  // An answer with a secret: stored without it, replayed with it restored from its source.
  db2 = db;
  const secretGuard = idempotency(new IdempotencyRepository(db), () => new Date(now), {
    waitForFirstMs: 600,
    secret: {
      field: "secret",
      restore: async (accountId, stored) => ({ ...(stored as object), secret: `restored for ${accountId}` }),
    },
  });
  app.post("/secrets", secretGuard, (req, res) => {
    const body = req.body as { name: string; status?: number };
    ran.push(`${req.path} ${body.name}`);
    if (body.status === 204) return void res.status(204).end();
    res.status(201).json({ id: ran.length, secret: "whsec_first" });
  });
  app.use(problemErrorHandler(silentLogger));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

async function post(path: string, body: object, key?: string, account?: string) {
  const response = await fetch(base + path, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key && { "idempotency-key": key }),
      ...(account && { "x-account": account }),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

const runs = (name: string) => ran.filter((r) => r.endsWith(` ${name}`)).length;

describe("Idempotency-Key", () => {
  it("without a key every request runs, and none says it was replayed", async () => {
    const [a, b] = [await post("/things", { name: "nokey" }), await post("/things", { name: "nokey" })];
    expect(runs("nokey")).toBe(2);
    expect([a.headers.get("idempotent-replayed"), b.headers.get("idempotent-replayed")]).toEqual(["false", "false"]);
  });

  it("a retry with the same key and body gets the first answer, marked replayed, without running again", async () => {
    const first = await post("/things", { name: "same", x: 1 }, "k-same");
    const retry = await post("/things", { x: 1, name: "same" }, "k-same"); // keys in another order: the same request
    expect(runs("same")).toBe(1);
    expect(retry).toMatchObject({ status: 201, json: first.json });
    expect(first.headers.get("idempotent-replayed")).toBe("false");
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("location")).toBe(first.headers.get("location"));
    expect(retry.headers.get("retry-after")).toBe("7");
    expect(retry.headers.get("content-type")).toMatch(/^application\/json/);
    expect(retry.headers.get("x-other")).toBeNull();
  });

  it("a retry with a trailing slash is the same request (the slash carries no meaning)", async () => {
    const first = await post("/v1/things", { name: "slash" }, "k-slash");
    const retry = await post("/v1/things/", { name: "slash" }, "k-slash");
    expect(runs("slash")).toBe(1);
    expect(retry).toMatchObject({ status: 201, json: first.json });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("the same key with another body, or on another endpoint, is 422 idempotency_key_reused", async () => {
    await post("/things", { name: "reused" }, "k-reused");
    expect(await post("/things", { name: "reused", extra: true }, "k-reused")).toMatchObject({
      status: 422,
      json: {
        code: "idempotency_key_reused",
        detail: "Idempotency-Key k-reused was first used with a different request.",
      },
    });
    expect(await post("/others", { name: "reused" }, "k-reused")).toMatchObject({
      status: 422,
      json: { code: "idempotency_key_reused" },
    });
    expect(runs("reused")).toBe(1);
  });

  it("a failed answer is not kept: the retry runs again and is not a replay", async () => {
    const failed = await post("/things", { name: "fails", status: 503 }, "k-fails");
    expect(failed.status).toBe(503);
    await new Promise((r) => setTimeout(r, 50)); // the release happens when the answer is finished
    const retry = await post("/things", { name: "fails", status: 503 }, "k-fails");
    expect(runs("fails")).toBe(2);
    expect(retry.headers.get("idempotent-replayed")).toBe("false");
  });

  it("a 204 without a body replays as a 204 without a body", async () => {
    const request = () =>
      fetch(`${base}/things`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "k-204" },
        body: JSON.stringify({ name: "empty", status: 204 }),
      });
    const first = await request();
    const retry = await request();
    expect([first.status, await first.text(), retry.status, await retry.text()]).toEqual([204, "", 204, ""]);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(runs("empty")).toBe(1);
  });

  it("only a 2xx is kept: a 200 replays, a 3xx runs again", async () => {
    await post("/things", { name: "ok200", status: 200 }, "k-200");
    expect((await post("/things", { name: "ok200", status: 200 }, "k-200")).headers.get("idempotent-replayed")).toBe(
      "true",
    );
    await post("/things", { name: "moved", status: 300 }, "k-300");
    await new Promise((r) => setTimeout(r, 50));
    expect((await post("/things", { name: "moved", status: 300 }, "k-300")).headers.get("idempotent-replayed")).toBe(
      "false",
    );
    expect([runs("ok200"), runs("moved")]).toEqual([1, 2]);
  });

  it("a retry waiting on a first request that then fails runs itself, and answers for itself", async () => {
    const first = post("/things", { name: "slowfail", wait: 300, failFirst: true }, "k-slowfail");
    await new Promise((r) => setTimeout(r, 100));
    const retry = await post("/things", { name: "slowfail", wait: 300, failFirst: true }, "k-slowfail");
    expect((await first).status).toBe(503);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("false");
    expect(runs("slowfail")).toBe(2);
  });

  it("a retry that arrives while the first is still running waits for it, then replays it", async () => {
    const first = post("/things", { name: "slow", wait: 400 }, "k-slow");
    await new Promise((r) => setTimeout(r, 100));
    const retry = await post("/things", { name: "slow", wait: 400 }, "k-slow");
    expect(runs("slow")).toBe(1);
    expect(retry.json).toEqual((await first).json);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("a retry gives up on a first request that takes too long: 503 with Retry-After, and it does not run", async () => {
    const first = post("/things", { name: "stuck", wait: 1500 }, "k-stuck");
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const retry = await post("/things", { name: "stuck", wait: 1500 }, "k-stuck");
    expect(retry).toMatchObject({ status: 503, json: { code: "service_unavailable" } });
    expect(retry.json.detail).toBe(
      "The first request with Idempotency-Key k-stuck is still being answered; retry shortly to get its answer.",
    );
    expect(retry.headers.get("retry-after")).toBe("1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect((await first).status).toBe(201);
    expect(runs("stuck")).toBe(1);
  });

  it("a key whose first request was abandoned (its process ended answering) runs again five minutes on", async () => {
    // What a process killed while answering leaves behind: the key reserved, never answered.
    const abandon = (key: string, body: object, ageMs: number) =>
      db2
        .insertInto("idempotency_keys")
        .values({
          account_id: "acct-a",
          key,
          scope: "POST /things",
          request_hash: sha256Hex(`POST /things\n${canonicalJson(body)}`),
          status: null,
          response_headers: null,
          response_body: null,
          created_at: new Date(now - ageMs).toISOString(),
        })
        .execute();
    await abandon("k-recent", { name: "recent" }, ABANDONED_AFTER_MS - 1000);
    const waited = await post("/things", { name: "recent" }, "k-recent");
    expect(waited).toMatchObject({ status: 503, json: { code: "service_unavailable" } });
    expect(runs("recent")).toBe(0);

    await abandon("k-abandoned", { name: "abandoned" }, ABANDONED_AFTER_MS + 1000);
    const retry = await post("/things", { name: "abandoned" }, "k-abandoned");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("false");
    expect(runs("abandoned")).toBe(1);
    // And it is this request's key now: its next retry is a replay.
    const again = await post("/things", { name: "abandoned" }, "k-abandoned");
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toEqual(retry.json);
  });

  it("keys are per account, and expire after 24 hours", async () => {
    await post("/things", { name: "accounts" }, "k-acct");
    const other = await post("/things", { name: "accounts" }, "k-acct", "acct-b");
    expect(other.headers.get("idempotent-replayed")).toBe("false");
    expect(runs("accounts")).toBe(2);
    now += 24 * 3600_000 - 1000;
    expect((await post("/things", { name: "accounts" }, "k-acct")).headers.get("idempotent-replayed")).toBe("true");
    now += 2000;
    expect((await post("/things", { name: "accounts" }, "k-acct")).headers.get("idempotent-replayed")).toBe("false");
    expect(runs("accounts")).toBe(3);
  });
});

describe("Idempotency-Key on an answer with a secret", () => {
  it("stores the answer without the secret, and replays it with the secret restored", async () => {
    const first = await post("/secrets", { name: "secret" }, "k-secret");
    expect(first.json).toMatchObject({ secret: "whsec_first" });
    const stored = await db2
      .selectFrom("idempotency_keys")
      .select("response_body")
      .where("key", "=", "k-secret")
      .execute();
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]!.response_body!)).toEqual({ id: first.json.id });
    const replay = await post("/secrets", { name: "secret" }, "k-secret");
    expect(runs("secret")).toBe(1);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.json).toEqual({ id: first.json.id, secret: "restored for acct-a" });
  });

  it("replays an answer without a body as it was", async () => {
    const send = () =>
      fetch(`${base}/secrets`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "k-secret-204" },
        body: JSON.stringify({ name: "secret-204", status: 204 }),
      });
    const [first, replay] = [await send(), await send()];
    expect([first.status, replay.status]).toEqual([204, 204]);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.text()).toBe("");
    expect(runs("secret-204")).toBe(1);
  });
});
