// bench/mta: 500 addresses at one domain hosted by Debian's Postfix with its default error tarpit
// (after 10 refused recipients on a connection every reply waits 1 s; after 20 the connection is
// dropped), 90 % of them unknown users, validated by the real server (built as `npm start` runs
// it, SQLite, default engine settings): time to `completed`, connections Postfix counted, the most
// errors any one of them saw, and whether every verdict is right. Needs root and Postfix as
// scripts/mta/postfix-setup.sh configures it.
//
//   bash scripts/mta/postfix-setup.sh && npm run bench:mta

import { validateThroughApi } from "../../test/mta/jobs.js";
import { conversations, logMark, publishMtaZones, requirePostfix } from "../../test/mta/postfix.js";
import { startDnsServer } from "../../test/support/dns-server.js";
import { startApiProcess } from "../../test/support/processes.js";
import { buildServer } from "../../test/support/real-server.js";

const ADDRESSES = 500;
/** bulk.test has the mailboxes user000..user049; the rest of the list does not exist. */
const emails = Array.from({ length: ADDRESSES }, (_, i) =>
  i % 10 === 0 ? `user${String(i / 10).padStart(3, "0")}@bulk.test` : `nobody${i}@bulk.test`,
);

async function main(): Promise<void> {
  await requirePostfix();
  const dns = await startDnsServer();
  publishMtaZones(dns);
  await buildServer();
  const { url: baseUrl, started: server } = await startApiProcess(
    {
      NODE_ENV: "production",
      PUBLIC_URL: "https://verify.mailproof.test",
      DNS_SERVERS: dns.server,
      VALIDATION_SMTP_PORT: "25",
      VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
    },
    "mailproof",
  );

  const key = /API key: (\S+)/.exec(server.output())![1]!;
  const log = logMark();
  const job = await validateThroughApi(baseUrl, key, emails);
  const wrong = [...job.results.values()].filter(
    (r) => r.reason !== (r.email.startsWith("user") ? "accepted_email" : "rejected_email"),
  ).length;
  await server.stop();
  await dns.close();
  const seen = conversations(log());
  const worst = Math.max(...seen.map((c) => c.errors));
  const wrongVerdicts = wrong + ADDRESSES - job.results.size;
  process.stdout.write(
    `| ${ADDRESSES} addresses at bulk.test (90 % unknown) | ${job.seconds.toFixed(1)} s | ` +
      `${seen.length} connections | at most ${worst} errors on one | ${wrongVerdicts} wrong verdicts | ` +
      `${job.status} |\n`,
  );
}

await main();
