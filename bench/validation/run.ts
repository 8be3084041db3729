// bench/validation: 100,000 addresses over 1,000 domains on loopback DNS and SMTP servers, through
// the real server (built as `npm start` runs it): time to 202, time to `completed`, addresses per
// second and peak RSS of the server; and, as the peer, deep-email-validator on a sample of the same
// list, its per-address cost scaled to 100,000. Needs root (SMTP servers on port 25 of 127.0.1.x,
// the only port the peer can probe).
//
//   npm run bench:validation
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_WORKER_PROCESSES=4 \
//     BENCH_ADDRESSES=20000 PEER_SAMPLE=0 npx tsx bench/validation/run.ts
//     (PostgreSQL, an API process without workers and N `npm run worker` processes)
//
// Other knobs: BENCH_CHUNKS_IN_FLIGHT (VALIDATION_CHUNKS_IN_FLIGHT of the server and workers),
// BENCH_NODE_ARGS (node flags for them, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").

import dns from "node:dns";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate as peerValidate } from "deep-email-validator";
import pLimit from "p-limit";
import { SMTPServer } from "smtp-server";
import { dropRunSchemas, freshDatabaseEnv } from "../../test/support/database.js";
import { startDnsServer } from "../../test/support/dns-server.js";
import { freePort } from "../../test/support/free-port.js";
import { answers, startProcess } from "../../test/support/processes.js";
import { buildServer } from "../../test/support/real-server.js";

const ADDRESSES = Number(process.env.BENCH_ADDRESSES ?? 100_000);
const WORKER_PROCESSES = Number(process.env.BENCH_WORKER_PROCESSES ?? 0);
const DOMAINS = 1_000;
const MX_HOSTS = 8;
const PEER_SAMPLE = Number(process.env.PEER_SAMPLE ?? 200);
/** Extra node flags for the server and worker processes, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);

/** A mail server answering by local part: ok-* exists, full-* is full, anything else is unknown; or a catch-all. */
async function benchMx(host: string, catchAll: boolean) {
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    maxClients: 1000,
    onRcptTo(address, _session, callback) {
      const local = address.address.split("@")[0]!;
      if (catchAll || local.startsWith("ok-")) return callback();
      if (local.startsWith("full-")) return callback(Object.assign(new Error("Mailbox full"), { responseCode: 552 }));
      callback(Object.assign(new Error("No such user"), { responseCode: 550 }));
    },
  });
  server.on("error", () => undefined); // a client that resets its connection is not the bench's problem
  await new Promise<void>((resolve) => server.listen(25, host, resolve));
  return server;
}

function addressList(): string[] {
  const emails: string[] = [];
  for (let i = 0; i < ADDRESSES; i++) {
    const domain = i % DOMAINS;
    const n = Math.floor(i / DOMAINS);
    const local = n % 10 < 6 ? `ok-${n}` : n % 10 < 9 ? `no-${n}` : `full-${n}`;
    emails.push(`${local}@d${domain}.bench.test`);
  }
  return emails;
}

async function main(): Promise<void> {
  const zones = await startDnsServer();
  const mx = [];
  for (let h = 1; h <= MX_HOSTS; h++) mx.push(await benchMx(`127.0.1.${h}`, false));
  mx.push(await benchMx("127.0.1.100", true));
  for (let d = 0; d < DOMAINS; d++) {
    if (d % 10 === 0) continue; // NXDOMAIN
    const host = d % 10 === 1 ? "127.0.1.100" : `127.0.1.${(d % MX_HOSTS) + 1}`;
    zones.publish(`d${d}.bench.test`, { MX: [{ priority: 10, exchange: host }] });
  }

  await buildServer();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  if (process.env.BENCH_DATABASE_URL) process.env.TEST_DATABASE_URL = process.env.BENCH_DATABASE_URL;
  const env = {
    NODE_ENV: "production",
    DATA_DIR: mkdtempSync(join(tmpdir(), "mailproof-bench-")),
    DNS_SERVERS: zones.server,
    VALIDATION_SMTP_PORT: "25",
    VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
    VALIDATION_PER_HOST_CONCURRENCY: "8",
    VALIDATION_CONCURRENCY: "64",
    ...(process.env.BENCH_CHUNKS_IN_FLIGHT && { VALIDATION_CHUNKS_IN_FLIGHT: process.env.BENCH_CHUNKS_IN_FLIGHT }),
    DOMAIN_RECHECK_INTERVAL: "0",
    ...(await freshDatabaseEnv()),
  };
  const server = await startProcess(
    "node",
    [...NODE_ARGS, "dist/main.js"],
    async (output) => output.includes("API key") && (await answers(`${baseUrl}/healthz`)),
    {
      name: "mailproof",
      env: { ...env, PORT: String(port), WORKERS: WORKER_PROCESSES > 0 ? "0" : "1" },
    },
  );
  const workers = [];
  for (let w = 0; w < WORKER_PROCESSES; w++) {
    workers.push(
      await startProcess(
        "node",
        [...NODE_ARGS, "dist/worker-main.js"],
        async (output) => output.includes("validation worker"),
        { name: "worker", env: { ...env, WORKERS: "1" } },
      ),
    );
  }
  const key = /API key: (\S+)/.exec(server.output())![1]!;
  const emails = addressList();

  const t0 = performance.now();
  const created = await fetch(`${baseUrl}/v1/email-validations`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ emails }),
  });
  const t202 = performance.now() - t0;
  const { id } = (await created.json()) as { id: string };
  let job: { status: string; counts: Record<string, number> };
  do {
    await new Promise((r) => setTimeout(r, 200));
    job = (await (
      await fetch(`${baseUrl}/v1/email-validations/${id}?page[size]=1`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as typeof job;
  } while (job.status !== "completed" && job.status !== "error");
  const tDone = performance.now() - t0;
  const reasons = await reasonCounts(baseUrl, key, id);
  const peakRssMb =
    Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.process.pid}/status`, "utf8"))![1]) / 1024;
  if (process.env.BENCH_SHOW_OUTPUT)
    process.stderr.write(
      `${server
        .output()
        .split("\n")
        .filter((l) => l.includes("TIMING"))
        .slice(-3)
        .join("\n")}\n`,
    );
  await Promise.all([server, ...workers].map((p) => p.stop()));
  await dropRunSchemas();
  if (PEER_SAMPLE === 0) {
    const store = process.env.BENCH_DATABASE_URL
      ? `PostgreSQL, ${WORKER_PROCESSES} worker process${WORKER_PROCESSES === 1 ? "" : "es"}`
      : "SQLite, in-process worker";
    process.stdout.write(
      `| ${store} | ${ADDRESSES} | ${(tDone / 1000).toFixed(1)} s | ` +
        `${(ADDRESSES / (tDone / 1000)).toFixed(0)} | ${JSON.stringify(job.counts)} |\n`,
    );
    process.stdout.write(
      `time to 202: ${(t202 / 1000).toFixed(2)} s; peak RSS ${peakRssMb.toFixed(0)} MB; reasons: ` +
        `${JSON.stringify(reasons)}\n`,
    );
    await Promise.all(mx.map((m) => new Promise<void>((r) => m.close(() => r()))));
    await zones.close();
    return;
  }

  // The peer, in this process: the same DNS server, the same mail servers on port 25. Run as its
  // README shows (one address at a time), and, to be fair to it, 32 at a time as well (mailproof's
  // chunks in flight).
  dns.setServers([zones.server]);
  const sequential = await peerRun(peerSample(PEER_SAMPLE), 1);
  const concurrent = await peerRun(peerSample(PEER_SAMPLE * 4), 32);
  const peerScaledS = (sequential.perAddressMs * ADDRESSES) / 1000;
  const peerConcurrentScaledS = (concurrent.perAddressMs * ADDRESSES) / 1000;

  const ours = ADDRESSES / (tDone / 1000);
  const lines = [
    `| measure | mailproof | target |`,
    `|---|---:|---|`,
    `| time to 202 (100,000 addresses) | ${(t202 / 1000).toFixed(2)} s | ≤ 1 s |`,
    `| time to completed | ${(tDone / 1000).toFixed(1)} s | ≤ 20 s |`,
    `| addresses per second | ${ours.toFixed(0)} | |`,
    `| peak RSS of the server | ${peakRssMb.toFixed(0)} MB | ≤ 300 MB |`,
    `| outcome counts | ${JSON.stringify(job.counts)} | mixed |`,
    `| reasons | ${JSON.stringify(reasons)} | |`,
    `| deep-email-validator, ${sequential.size} sampled, one at a time | ` +
      `${sequential.perAddressMs.toFixed(1)} ms/address → ${peerScaledS.toFixed(0)} s for ${ADDRESSES} ` +
      `(${(ADDRESSES / peerScaledS).toFixed(1)} addresses/s); outcomes ${JSON.stringify(sequential.outcomes)} | |`,
    `| throughput ratio (mailproof / peer one at a time) | ${(ours / (ADDRESSES / peerScaledS)).toFixed(0)}× | ≥ 20× |`,
    `| deep-email-validator, ${concurrent.size} sampled, 32 at a time | ` +
      `${concurrent.perAddressMs.toFixed(2)} ms/address → ${peerConcurrentScaledS.toFixed(0)} s for ${ADDRESSES} ` +
      `(${(ADDRESSES / peerConcurrentScaledS).toFixed(0)} addresses/s); ` +
      `outcomes ${JSON.stringify(concurrent.outcomes)} | |`,
    `| throughput ratio (mailproof / peer 32 at a time) | ` +
      `${(ours / (ADDRESSES / peerConcurrentScaledS)).toFixed(0)}× | |`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  await Promise.all(mx.map((m) => new Promise<void>((r) => m.close(() => r()))));
  await zones.close();
}

/**
 * `size` addresses spread over the list with a stride coprime to the number of domains, so the
 * sample meets every kind of domain (a stride that is a multiple of 10 would only meet NXDOMAIN).
 */
function peerSample(size: number): string[] {
  const emails = addressList();
  let stride = Math.max(1, Math.floor(emails.length / size));
  while (gcd(stride, DOMAINS) !== 1) stride--;
  return Array.from({ length: Math.min(size, emails.length) }, (_, k) => emails[(k * stride) % emails.length]!);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** deep-email-validator over a sample, `concurrency` addresses at a time: wall time per address, and outcomes. */
async function peerRun(sample: string[], concurrency: number) {
  const limit = pLimit(concurrency);
  const outcomes: Record<string, number> = {};
  const p0 = performance.now();
  await Promise.all(
    sample.map((email) =>
      limit(async () => {
        // Typo checking off: mailcheck flags the bench's made-up domains and stops before SMTP.
        const r = await peerValidate({
          email,
          validateRegex: true,
          validateMx: true,
          validateTypo: false,
          validateDisposable: true,
          validateSMTP: true,
        });
        const outcome = r.valid ? "valid" : (r.reason ?? "invalid");
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }),
    ),
  );
  return { size: sample.length, perAddressMs: (performance.now() - p0) / sample.length, outcomes };
}

/** Every result's reason, counted (read after the clock stopped). */
async function reasonCounts(baseUrl: string, key: string, id: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let next: string | null = `/v1/email-validations/${id}?page[size]=100`;
  while (next) {
    const page = (await (await fetch(`${baseUrl}${next}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      results: { reason: string }[];
      links: { next: string | null };
    };
    for (const r of page.results) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
    next = page.links.next;
  }
  return counts;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
