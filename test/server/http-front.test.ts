import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { inProcessServer } from "../support/in-process.js";

// The edge a client on the internet meets: what is read before whom, raw sockets that are not
// HTTP, slow clients, browser origins and request budgets. Each on a server of its own.
const servers: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

async function server(env: Record<string, string> = {}) {
  const s = await inProcessServer({ env });
  servers.push(s);
  const key = await s.createKey(`front-${servers.length}`);
  return { ...s, key, port: Number(new URL(s.url).port) };
}

/** Writes `request` on a raw socket and resolves with everything the server sends until it closes (or `timeoutMs`). */
function rawExchange(
  port: number,
  request: string | ((socket: Socket) => void),
  timeoutMs = 5000,
): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms; got: ${text.slice(0, 200)}`));
    }, timeoutMs);
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    socket.on("connect", () => (typeof request === "string" ? socket.write(request) : request(socket)));
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
const bodyOf = (text: string) =>
  JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as { code: string; status: number };

describe("authentication comes before any body", () => {
  it("an anonymous 39 MB upload is answered 401 at once, without the body being read", async () => {
    const { port } = await server();
    // Only the headers are sent: a server that parsed the body first would wait for 39 MB.
    const { text } = await rawExchange(port, (socket) => {
      socket.write(
        [
          "POST /v1/email-validations HTTP/1.1",
          "Host: x",
          "Content-Type: application/json",
          "Content-Length: 40894464",
          "Connection: close",
          "\r\n",
        ].join("\r\n"),
      );
      socket.write('{"emails":[');
    });
    expect(statusOf(text)).toBe(401);
    expect(bodyOf(text).code).toBe("unauthorized");
  });

  it("only POST /v1/email-validations takes the bulk limit: a large PATCH there is 413", async () => {
    const { url, key } = await server({ BULK_BODY_LIMIT: "40mb" });
    const body = JSON.stringify({ status: "canceled", pad: "x".repeat(300_000) });
    const response = await fetch(`${url}/v1/email-validations/3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      code: "payload_too_large",
      // JSON_BODY_LIMIT's default, 100kb, in bytes: a client knows how far to cut.
      detail: "The request body is larger than this operation accepts (at most 102,400 bytes).",
    });
  });

  it("a body sent to an operation that takes none is not read (no 413 or 415 on resend or verify)", async () => {
    const { url, key } = await server();
    for (const path of [
      "/v1/destinations/3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01/resend",
      "/v1/mailbox-domains/3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01/verify",
    ]) {
      for (const [type, body] of [
        ["text/plain", "x".repeat(500_000)],
        ["application/json", "{not json"],
        ["application/xml", "<a/>"],
      ]) {
        const response = await fetch(url + path, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": type! },
          body,
        });
        expect(response.status, `${path} with ${type}`).toBe(404);
      }
    }
  });
});

describe("requests Node itself refuses get problem+json", () => {
  it.each([
    ["a malformed request line", "GET /v1/destinations HTTP/9.9 nonsense\r\n\r\n", 400, "invalid_parameter"],
    [
      "not HTTP at all",
      "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n",
      400,
      "invalid_parameter",
    ],
    ["a request target with Latin-1 bytes", "GET /v1/caf\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid_parameter"],
    [
      "header fields over 16 kB",
      `GET /v1/destinations HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(20_000)}\r\n\r\n`,
      431,
      "invalid_parameter",
    ],
    [
      "a query string over 16 kB",
      `GET /v1/destinations?${Array.from({ length: 3000 }, (_, i) => `x${i}=1`).join("&")} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
      "invalid_parameter",
    ],
  ])("%s", async (_, request, status, code) => {
    const { port } = await server();
    const { text } = await rawExchange(port, request);
    expect(statusOf(text)).toBe(status);
    expect(text).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(bodyOf(text)).toMatchObject({ status, code });
    // Node counts the request line in its limit: the detail says so, for a long query string.
    if (status === 431)
      expect(bodyOf(text)).toMatchObject({ detail: expect.stringContaining("request line and header") });
  });
});

describe("request targets", () => {
  it("takes one in absolute form (RFC 9112 §3.2.2) as its path and query", async () => {
    const { port, key } = await server();
    const request = (target: string) =>
      rawExchange(
        port,
        `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`,
      );
    const list = await request("http://api.example.test/v1/destinations?page[size]=1");
    expect(statusOf(list.text)).toBe(200);
    expect(list.text).toContain('"data":[]');
    const query = await request("HTTP://api.example.test?page[size]=1");
    expect(statusOf(query.text)).toBe(404);
    expect(bodyOf(query.text)).toMatchObject({ code: "not_found", instance: "/" });
  });

  it("matches the contract's paths in their case: another case is a 404 everywhere, as on the mock", async () => {
    const { url, key } = await server();
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    for (const [method, path, body] of [
      ["GET", "/V1/destinations"],
      ["GET", "/v1/Account"],
      ["GET", "/HEALTHZ"],
      // A POST in another case used to pass the mounts and the validator but not the body parser
      // or the budgets by path: a 422 asking for a body, counted against the writes budget.
      ["POST", "/v1/Email-Checks", { email: "someone@example.com" }],
      ["POST", "/V1/email-validations", { emails: ["someone@example.com"] }],
    ] as const) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(await answer.json()).toMatchObject({
        code: "not_found",
        detail: `There is no ${method} ${path} in this API.`,
      });
    }
    // The contract's own spelling, with or without a trailing slash (which carries no meaning).
    expect((await call("GET", "/v1/destinations")).status).toBe(200);
    expect((await call("GET", "/v1/destinations/")).status).toBe(200);
  });
});

describe("problem instances", () => {
  it.each([
    ["quotes, braces and a pipe", '/v1/a"b{c}|d^e`f'],
    ["a broken escape", "/v1/destinations/%E0%A4%A"],
    ["a lone percent", "/nope/%"],
  ])("are valid URI references whatever the path held: %s", async (_, path) => {
    const { port, key } = await server();
    const { text } = await rawExchange(
      port,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`,
    );
    const body = bodyOf(text) as { instance?: string; status: number };
    expect(body.status).toBeLessThan(500);
    expect(body.instance).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/);
    expect(() => decodeURI(body.instance!)).not.toThrow();
  });
});

describe("slow clients are dropped", () => {
  it("a client trickling its headers (slowloris) is cut off at the headers timeout, with a 408", async () => {
    const { port } = await server({ HTTP_HEADERS_TIMEOUT_MS: "1500" });
    let timer: NodeJS.Timeout | undefined;
    const { text, closedAfterMs } = await rawExchange(
      port,
      (socket) => {
        socket.write("GET /v1/destinations HTTP/1.1\r\nHost: x\r\n");
        timer = setInterval(() => socket.writable && socket.write("X-a: b\r\n"), 200);
      },
      8000,
    );
    clearInterval(timer);
    expect(statusOf(text)).toBe(408);
    expect(bodyOf(text).code).toBe("request_timeout");
    expect(closedAfterMs).toBeLessThan(8000);
  });

  it("a client trickling its body is cut off at the request timeout", async () => {
    const { port, key } = await server({ HTTP_REQUEST_TIMEOUT_MS: "2000" });
    let timer: NodeJS.Timeout | undefined;
    const { text } = await rawExchange(
      port,
      (socket) => {
        socket.write(
          [
            "POST /v1/destinations HTTP/1.1",
            "Host: x",
            `Authorization: Bearer ${key}`,
            "Content-Type: application/json",
            "Content-Length: 1000",
            "\r\n{",
          ].join("\r\n"),
        );
        timer = setInterval(() => socket.writable && socket.write(" "), 200);
      },
      8000,
    );
    clearInterval(timer);
    expect(statusOf(text)).toBe(408);
  });
});

describe("headers on every answer", () => {
  it("nosniff everywhere, no-store on the API, HEAD wherever GET is", async () => {
    const { url, key } = await server();
    for (const path of [
      "/v1/destinations",
      "/v1/nope",
      "/healthz",
      "/docs",
      "/openapi.json",
      "/confirm/abc",
      "/nope",
    ]) {
      const response = await fetch(url + path, { headers: { authorization: `Bearer ${key}` } });
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      if (path.startsWith("/v1") || path.startsWith("/confirm"))
        expect(response.headers.get("cache-control"), path).toBe("no-store");
    }
    for (const path of ["/v1/destinations", "/v1/email-validations", "/healthz", "/docs", "/openapi.json"]) {
      const get = await fetch(url + path, { headers: { authorization: `Bearer ${key}` } });
      const head = await fetch(url + path, { method: "HEAD", headers: { authorization: `Bearer ${key}` } });
      expect([head.status, head.headers.get("content-type"), await head.text()], path).toEqual([
        get.status,
        get.headers.get("content-type"),
        "",
      ]);
    }
  });
});

/** A GET as a plain HTTP client sends it (fetch would ask for and undo compression by itself). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on("error", reject)
      .end();
  });
}

describe("the reference page and the contract", () => {
  it("go gzip-compressed to a client that accepts it, and a browser that has them revalidates for a 304", async () => {
    const s = await server();
    for (const path of ["/docs", "/openapi.json"]) {
      const plain = await get(`${s.url}${path}`);
      expect(plain.status).toBe(200);
      expect(plain.headers["content-encoding"]).toBeUndefined();
      const compressed = await get(`${s.url}${path}`, { "accept-encoding": "br, gzip, deflate" });
      expect(compressed.headers).toMatchObject({ "content-encoding": "gzip", vary: "Accept-Encoding" });
      expect(gunzipSync(compressed.body).equals(plain.body)).toBe(true);
      expect(compressed.body.length).toBeLessThan(plain.body.length / 3);
      const etag = String(plain.headers.etag);
      expect(compressed.headers.etag).toBe(etag);
      expect(plain.headers["cache-control"]).toBe("no-cache");
      const revalidated = await get(`${s.url}${path}`, { "if-none-match": etag, "accept-encoding": "gzip" });
      expect(revalidated.status).toBe(304);
      expect(revalidated.body.length).toBe(0);
    }
  });
});

describe("CORS", () => {
  it("answers an allowed origin's preflight and exposes what a frontend reads; others get nothing", async () => {
    const { url, key } = await server({ CORS_ORIGINS: "https://app.acme-logistics.com,http://localhost:5173" });
    const preflight = await fetch(`${url}/v1/destinations`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.acme-logistics.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.acme-logistics.com");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")!.toLowerCase()).toContain("idempotency-key");

    const get = await fetch(`${url}/v1/destinations`, {
      headers: { origin: "https://app.acme-logistics.com", authorization: `Bearer ${key}` },
    });
    expect(get.headers.get("access-control-allow-origin")).toBe("https://app.acme-logistics.com");
    expect(get.headers.get("access-control-expose-headers")).toBe(
      "Location, Retry-After, RateLimit, RateLimit-Policy, Idempotent-Replayed",
    );
    expect(get.headers.get("vary")).toContain("Origin");

    const evil = await fetch(`${url}/v1/destinations`, {
      headers: { origin: "https://evil.example", authorization: `Bearer ${key}` },
    });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    const evilPreflight = await fetch(`${url}/v1/destinations`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "DELETE" },
    });
    expect(evilPreflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});
