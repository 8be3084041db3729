import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../server/shared/ids.js";
import { inProcessServer } from "../support/in-process.js";
import { recordingLogger } from "../support/logs.js";
import { eventually } from "../support/mail.js";
import { tcpProxy } from "../support/tcp-proxy.js";

// Request budgets in Redis (REDIS_URL), the real one every machine of the project runs: counted
// there, where every API process sees them; and when Redis is lost, reset or black-holed (a TCP
// proxy of the suite's own), counted in the process at once, never a 5xx or a wait on Redis.
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
// This run's keys only: an earlier run's per-address counts (the same 127.0.0.1) would count here.
const PREFIX = `mailproof-test-${randomUUID().slice(0, 8)}:`;
const redis = new Redis(REDIS_URL);
const closing: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(closing.map((c) => c.close()));
  redis.disconnect();
});

async function server(env: Record<string, string>, logger = recordingLogger()) {
  const s = await inProcessServer({ env: { REDIS_KEY_PREFIX: PREFIX, ...env }, logger: logger.logger });
  closing.push(s);
  const key = await s.createKey("budgeted");
  // Where rate-limiter-flexible keeps a key's read budget: `<class>:<key id>`, the key id being
  // the start of the key's SHA-256 (the key itself is never stored).
  const keyId = sha256Hex(key).slice(0, 32);
  return { ...s, key, logged: logger.lines, readsKey: `${PREFIX}reads:${keyId}` };
}

const read = (s: { url: string; key: string }) =>
  fetch(`${s.url}/v1/destinations`, { headers: { authorization: `Bearer ${s.key}` } });

const remaining = (response: Response) => /r=(\d+)/.exec(response.headers.get("ratelimit") ?? "")?.[1];

/** `mailproof_redis_up` as Prometheus would scrape it; undefined when the server has no such series. */
async function redisUp(s: { url: string }): Promise<number | undefined> {
  const families = parsePrometheusTextFormat(await (await fetch(`${s.url}/metrics`)).text());
  const value = families.find((f) => f.name === "mailproof_redis_up")?.metrics[0]?.value;
  return value === undefined ? undefined : Number(value);
}

async function proxiedRedis() {
  const { hostname, port } = new URL(REDIS_URL);
  const proxy = await tcpProxy({ host: hostname, port: Number(port || 6379) });
  closing.push(proxy);
  return { proxy, url: `redis://127.0.0.1:${proxy.port}` };
}

describe("request budgets in Redis", () => {
  it("are counted in Redis, where what another process spent counts too", async () => {
    const s = await server({ REDIS_URL, RATE_LIMIT_READS: "3/60s" });
    expect((await read(s)).status).toBe(200);
    expect(remaining(await read(s))).toBe("1");
    expect(await redis.get(s.readsKey)).toBe("2");
    const ttl = await redis.pttl(s.readsKey);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);

    // Another API process's read of the same key, as its limiter counts it.
    await redis.incr(s.readsKey);
    const refused = await read(s);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: "rate_limited" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(50);
  });

  it("Redis lost: answered and counted in the process meanwhile, in Redis again once it is back", async () => {
    const { proxy, url } = await proxiedRedis();
    const s = await server({ REDIS_URL: url, RATE_LIMIT_READS: "100/60s" });
    await eventually(
      async () => ((await read(s)).status === 200 && (await redis.get(s.readsKey)) === "1") || undefined,
    );

    expect(await redisUp(s)).toBe(1);
    proxy.refuse();
    proxy.reset();
    for (let i = 0; i < 3; i++) {
      const response = await read(s);
      expect(response.status).toBe(200);
      expect(remaining(response)).toBeDefined();
    }
    expect(await redis.get(s.readsKey)).toBe("1");
    expect(s.logged.filter((l) => l.msg.startsWith("redis unavailable"))).toHaveLength(1);
    expect(await redisUp(s)).toBe(0);

    proxy.pass();
    await eventually(async () =>
      (await read(s)).status === 200 && Number(await redis.get(s.readsKey)) > 1 ? true : undefined,
    );
    expect(s.logged.map((l) => l.msg)).toContain("redis answers again: request budgets are counted there");
    expect(await redisUp(s)).toBe(1);
  });

  it("without REDIS_URL there is no mailproof_redis_up series", async () => {
    const s = await server({ RATE_LIMIT_READS: "3/60s" });
    expect((await read(s)).status).toBe(200);
    expect(await redisUp(s)).toBeUndefined();
  });

  it("Redis black-holed: the connection that stopped answering is dropped, requests do not wait on it", async () => {
    const { proxy, url } = await proxiedRedis();
    const s = await server({ REDIS_URL: url, RATE_LIMIT_READS: "100/60s" });
    await eventually(
      async () => ((await read(s)).status === 200 && (await redis.get(s.readsKey)) === "1") || undefined,
    );

    proxy.blackhole();
    for (let i = 0; i < 5; i++) expect((await read(s)).status).toBe(200);
    // The first read waited out the command's bound (1 s) and the connection was dropped; the
    // others found Redis not ready and were counted in the process without asking it.
    expect(s.logged.filter((l) => l.msg.startsWith("redis unavailable"))).toEqual([
      expect.objectContaining({ level: "warn", reason: "a command was not answered in time" }),
    ]);
    expect(await redis.get(s.readsKey)).toBe("1");

    proxy.pass();
    await eventually(async () =>
      (await read(s)).status === 200 && Number(await redis.get(s.readsKey)) > 1 ? true : undefined,
    );
  });
});
