import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";

// The client as a user gets it: `npm pack`, installed from the tarball into a new project that
// cannot see this repository, compiled with the strictest flags, run with plain node against the
// run's real server.
const exec = promisify(execFile);
const server = inject("server");

const program = `
import {
  createClient, MailproofError, paginate, resendDestination, unwrap, validateEmails, VERSION,
} from "@mailproof/client";
import type { Destination } from "@mailproof/client";

const [baseUrl, apiKey] = process.argv.slice(2);
if (!baseUrl || !apiKey) throw new Error("usage: node app.js <url> <key>");
const client = createClient({ baseUrl, apiKey });
const out: Record<string, unknown> = { version: VERSION };

const email = \`consumer-\${Date.now()}@acme-logistics.com\`;
const created: Destination = unwrap(await client.POST("/v1/destinations", { body: { email } }));
out.created = created.email;

let seen = 0;
for await (const d of paginate(client, "/v1/destinations", { status: "pending" }, { pageSize: 2 })) {
  seen += d.email === email ? 1 : 0;
}
out.paged = seen;

// @ts-expect-error: the contract's page size is 1 to 100.
void paginate(client, "/v1/destinations", {}, { pageSize: 1000 });

const job = await validateEmails(client, ["not-an-address", "ana@@acme-logistics.com"], { fallbackIntervalSeconds: 1 });
out.job = { status: job.status, total: job.counts.total, undeliverable: job.counts.undeliverable };

const outcomes: string[] = [];
for (let i = 0; i < 10; i++) {
  const resent = await resendDestination(client, created.id);
  if (!resent.sent) {
    outcomes.push(\`\${resent.code} retry in \${resent.retryAfterSeconds} s\`);
    break;
  }
  outcomes.push("sent");
}
out.resends = outcomes;

try {
  const destination_id = "00000000-0000-4000-8000-000000000000";
  unwrap(await client.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id } } }));
} catch (error) {
  out.missing = error instanceof MailproofError ? error.code : String(error);
}
console.log(JSON.stringify(out));
`;

describe("the published client package", () => {
  it("packs only its files, installs alone, compiles strictly and works from plain node", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailproof-consumer-"));
    // --ignore-scripts: the package's prepack would rebuild client/dist (rm -rf first) under the
    // CLI tests that run beside this file; `npm test` built it already (build:client).
    const packed = JSON.parse(
      (
        await exec("npm", [
          "pack",
          "-w",
          "@mailproof/client",
          "--pack-destination",
          dir,
          "--json",
          "--silent",
          "--ignore-scripts",
        ])
      ).stdout,
    ) as { filename: string; files: { path: string }[]; size: number }[];
    const files = packed[0]!.files.map((f) => f.path).sort();
    expect(files.every((f) => /^(package\.json|README\.md|dist\/[a-z-]+\.(js|d\.ts)|dist\/cli\.cjs)$/.test(f))).toBe(
      true,
    );
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/schema.d.ts"]));

    const project = join(dir, "app");
    await exec("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          types: ["node"],
          outDir: ".",
        },
        files: ["app.ts"],
      }),
    );
    writeFileSync(join(project, "app.ts"), program);
    const npm = (args: string[]) => exec("npm", args, { cwd: project });
    await npm([
      "install",
      "--no-audit",
      "--no-fund",
      "--silent",
      resolve(dir, packed[0]!.filename),
      "typescript@5.9.3",
      "@types/node@20.19.43",
    ]);
    const installed = JSON.parse((await npm(["ls", "--all", "--json", "--omit=dev"])).stdout) as {
      dependencies: Record<string, { dependencies?: Record<string, unknown> }>;
    };
    // What the client brings along: openapi-fetch (and its own helper) and standardwebhooks (for
    // verifyWebhook), never the server's packages.
    expect(Object.keys(installed.dependencies["@mailproof/client"]?.dependencies ?? {}).sort()).toEqual([
      "openapi-fetch",
      "standardwebhooks",
    ]);

    // The bin as users call it, from the installed package.
    const help = await npm(["exec", "--no", "--", "mailproof", "--help"]);
    expect(help.stdout).toContain("usage: mailproof <command>");

    await exec(join(project, "node_modules/.bin/tsc"), ["-p", project]);
    const { stdout } = await exec("node", [join(project, "app.js"), server.baseUrl, server.apiKey]);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      version: "0.1.0",
      created: expect.stringMatching(/^consumer-\d+@acme-logistics\.com$/),
      paged: 1,
      job: { status: "completed", total: 2, undeliverable: 2 },
      missing: "not_found",
    });
    // Created (1 mail) and resent until the 24-hour cap of 5: a 429 the client hands back with its wait.
    expect(out.resends).toEqual([
      "sent",
      "sent",
      "sent",
      "sent",
      expect.stringMatching(/^resend_cap_reached retry in \d+ s$/),
    ]);
  }, 180_000);
});
