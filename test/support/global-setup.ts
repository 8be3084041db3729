import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { dropRunSchemas } from "./database.js";
import { startDnsServer } from "./dns-server.js";
import { freePort } from "./free-port.js";
import { answers, type Started, startProcess } from "./processes.js";
import { buildServer, startRealServer } from "./real-server.js";
import type { Target } from "./targets.js";

/**
 * Starts, once per run, every server the suites talk to, on free loopback ports: the Prism mock
 * of the bundled contract, a DNS server serving test zones, and the real server (built as
 * `npm start` builds it, on a fresh SQLite file, resolving through that DNS server).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Pick<Started, "stop">[] = [];
  const stopAll = () =>
    Promise.all(started.map((s) => s.stop()))
      .then(() => dropRunSchemas())
      .then(() => unmountSmallDisks());
  try {
    const mockPort = await freePort();
    const mockUrl = `http://127.0.0.1:${mockPort}`;
    started.push(
      // The mock as `npm run mock` runs it: Prism behind the front that sets its headers as the
      // server would (scripts/mock.mjs).
      await startProcess(
        "node",
        ["scripts/mock.mjs", "--port", String(mockPort)],
        () => answers(`${mockUrl}/healthz`),
        {
          name: "prism mock",
          timeoutMs: 60_000,
        },
      ),
    );
    const dns = await startDnsServer();
    started.push({ stop: () => dns.close() });
    await buildServer();
    const real = await startRealServer({ DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: "1000" }, dns.zoneDir);
    started.push(real.process);
    const hourly = "1/1h";
    const limited = await startRealServer({
      RATE_LIMIT_READS: hourly,
      RATE_LIMIT_WRITES: hourly,
      RATE_LIMIT_CHECKS: hourly,
      RATE_LIMIT_BULK: hourly,
      RATE_LIMIT_PUBLIC: hourly,
    });
    started.push(limited.process);

    const targets: Target[] = [
      { kind: "mock", baseUrl: mockUrl, apiKey: "mock-key-any-value-works" },
      { kind: "server", baseUrl: real.server.baseUrl, apiKey: real.server.apiKey },
    ];
    project.provide("targets", targets);
    project.provide("server", real.server);
    project.provide("limited", { baseUrl: limited.server.baseUrl, apiKey: limited.server.apiKey });
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

/**
 * The small tmpfs disks the tests mounted (serverOnSmallDisk): a test file's worker process may
 * end before its exit hook runs, so the run unmounts whatever is left.
 */
function unmountSmallDisks(): void {
  const mounts = readFileSync("/proc/mounts", "utf8").split("\n");
  for (const line of mounts) {
    const [, target, type] = line.split(" ");
    if (type === "tmpfs" && target?.includes("mailproof-disk-")) spawnSync("umount", ["-l", target]);
  }
}
