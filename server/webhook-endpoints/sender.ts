import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isPrivateAddress } from "../engine/network-guard.js";
import type { ResolvedAddress } from "../shared/dns.js";

export interface SendSettings {
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  /** What a host name resolves to (shared/dns.ts addressResolver). */
  resolve: (host: string) => Promise<ResolvedAddress[]>;
}

/** `localhost` and its subdomains are loopback by definition (RFC 6761 §6.3), whatever DNS says. */
export const isLocalhostName = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/** What one attempt came to: a 2xx, or why not. */
export interface AttemptOutcome {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  /** The first characters of a failed answer's body; nothing more is read. */
  excerpt: string | null;
}

const EXCERPT_BYTES = 256;

/**
 * POSTs one event. The whole attempt (connect, TLS, the answer and its excerpt) is bounded by the
 * timeout, so an endpoint that never answers costs at most that. Redirects are not followed (a 3xx
 * is a failure), and the guard runs where the connection is made: on the addresses the name
 * resolves to at that moment, so a name cannot pass a check and then point elsewhere.
 */
export function postEvent(
  url: string,
  headers: Record<string, string>,
  body: string,
  settings: SendSettings,
): Promise<AttemptOutcome> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  if (!settings.allowPrivateNetworks && ((isIP(host) && isPrivateAddress(host)) || isLocalhostName(host)))
    return Promise.resolve(failure(null, `refused: ${host} is a loopback, private or link-local address`));
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      resolve(outcome);
    };
    const req = request(
      target,
      {
        method: "POST",
        agent: false,
        lookup: guardedLookup(settings),
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "mailproof-webhooks/1",
        },
      },
      (res) => void readOutcome(res).then(settle),
    );
    const deadline = setTimeout(
      () => settle(failure(null, `no answer within ${settings.timeoutMs} ms`)),
      settings.timeoutMs,
    );
    req.on("error", (error: NodeJS.ErrnoException) => settle(failure(null, describe(error))));
    req.end(body);
  });
}

async function readOutcome(res: IncomingMessage): Promise<AttemptOutcome> {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    res.resume();
    return { delivered: true, statusCode: status, error: null, excerpt: null };
  }
  const excerpt = await firstBytes(res, EXCERPT_BYTES);
  const error =
    status >= 300 && status < 400
      ? `redirect not followed (${status} to ${String(res.headers.location ?? "nowhere").slice(0, 200)})`
      : `the endpoint answered ${status}`;
  return failure(status, error, excerpt);
}

/** Up to `limit` bytes of the body, as text; the rest is never read. */
function firstBytes(res: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      const text = Buffer.concat(chunks)
        .subarray(0, limit)
        .toString("utf8")
        .replace(/\uFFFD+$/, "");
      resolve(text.length > 0 ? text : null);
    };
    res.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        res.destroy();
        done();
      }
    });
    res.on("end", done);
    res.on("error", done);
    res.on("close", done);
  });
}

/** The connection's lookup: the name's addresses without loopback, private and link-local ones (unless allowed). */
function guardedLookup(settings: SendSettings): LookupFunction {
  return (hostname, options, callback) => {
    void settings.resolve(hostname).then((addresses) => {
      const wanted = addresses.filter((a) => !options.family || a.family === options.family);
      if (wanted.length === 0) return callback(Object.assign(new Error(hostname), { code: "ENOTFOUND" }), "", 0);
      const allowed = wanted.filter((a) => settings.allowPrivateNetworks || !isPrivateAddress(a.address));
      if (allowed.length === 0) {
        const refused = Object.assign(
          new Error(`refused: ${hostname} resolves to a loopback, private or link-local address`),
          { code: "EPRIVATE" },
        );
        return callback(refused, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: typeof allowed) => void)(null, allowed);
      const [first] = allowed;
      callback(null, first!.address, first!.family);
    });
  };
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.code === "EPRIVATE") return error.message;
  if (error.code === "ENOTFOUND") return "the endpoint's host name does not resolve";
  if (error.code === "ECONNREFUSED") return "connection refused";
  if (error.code === "ECONNRESET") return "connection reset before an answer";
  return error.code ? `${error.code}: ${error.message}` : error.message;
}

const failure = (statusCode: number | null, error: string, excerpt: string | null = null): AttemptOutcome => ({
  delivered: false,
  statusCode,
  error: error.slice(0, 500),
  excerpt,
});
