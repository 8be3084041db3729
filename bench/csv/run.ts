// bench/csv: the server's memory while it streams 100,000 results as CSV. Starts the built server
// (as `npm start` runs it, SQLite), validates 100,000 malformed addresses (no lookups: the job
// completes in seconds), then downloads GET /v1/email-validations/{id}/results while sampling
// the server's RSS every 10 ms: the growth over the RSS before the download, and the same for the
// JSON pages (1,000 of 100) as the alternative a client had.
//
//   npm run bench:csv
import { readFileSync } from "node:fs";
import { startApiProcess } from "../../test/support/processes.js";
import { buildServer } from "../../test/support/real-server.js";

const ADDRESSES = 100_000;

async function main(): Promise<void> {
  await buildServer();
  const { url: baseUrl, started: server } = await startApiProcess({ NODE_ENV: "production" }, "mailproof");
  const headers = { authorization: `Bearer ${/API key: (\S+)/.exec(server.output())![1]!}` };
  const emails = Array.from({ length: ADDRESSES }, (_, i) => `malformed-${String(i).padStart(6, "0")}`);
  const created = await fetch(`${baseUrl}/v1/email-validations`, {
    method: "POST",
    headers: { ...headers, "content-type": "text/csv" },
    body: `email\n${emails.join("\n")}\n`,
  });
  const location = created.headers.get("location")!;
  for (;;) {
    const job = (await (await fetch(`${baseUrl}${location}?page[size]=1`, { headers })).json()) as { status: string };
    if (job.status === "completed") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const rssMb = () =>
    Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.process.pid}/status`, "utf8"))![1]) / 1024;
  const measure = async (work: () => Promise<number>) => {
    const before = rssMb();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 10);
    const t0 = performance.now();
    const rows = await work();
    clearInterval(sampler);
    return { rows, growthMb: peak - before, seconds: (performance.now() - t0) / 1000, before };
  };
  const csv = await measure(async () => {
    const text = await (
      await fetch(`${baseUrl}${location}/results`, { headers: { ...headers, accept: "text/csv" } })
    ).text();
    return text.trimEnd().split("\n").length - 1;
  });
  const pages = await measure(async () => {
    let rows = 0;
    let next: string | null = `${location}?page[size]=100`;
    while (next) {
      const page = (await (await fetch(`${baseUrl}${next}`, { headers })).json()) as {
        results: unknown[];
        links: { next: string | null };
      };
      rows += page.results.length;
      next = page.links.next;
    }
    return rows;
  });
  await server.stop();
  for (const [name, m] of [
    ["CSV download (one request)", csv],
    ["JSON pages of 100", pages],
  ] as const)
    process.stdout.write(
      `| ${name} | ${m.rows} rows | ${m.seconds.toFixed(2)} s | RSS ${m.before.toFixed(0)} MB before, ` +
        `+${m.growthMb.toFixed(1)} MB at most |\n`,
    );
}

await main();
