import type { TestProject } from "vitest/node";
import { freePort } from "./free-port.js";
import { answers, startProcess, type Started } from "./processes.js";
import type { Target } from "./targets.js";

/**
 * Starts, once per run, every server the suites talk to, on free loopback ports:
 * the Prism mock of the bundled contract.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Started[] = [];
  const targets: Target[] = [];

  const mockPort = await freePort();
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  started.push(
    await startProcess(
      "node_modules/.bin/prism",
      ["mock", "generated/openapi.yaml", "--host", "127.0.0.1", "--port", String(mockPort)],
      () => answers(`${mockUrl}/healthz`),
      { name: "prism mock", timeoutMs: 60_000 },
    ),
  );
  targets.push({ kind: "mock", baseUrl: mockUrl, apiKey: "mock-key-any-value-works" });

  project.provide("targets", targets);
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
