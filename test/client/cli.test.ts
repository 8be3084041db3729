import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer } from "../support/dns-server.js";
import { freePort } from "../support/free-port.js";
import { mxServer } from "../support/mx-server.js";
import { startLoggedServer } from "../support/processes.js";

// The `mailproof` CLI (the client package's bin, built by the test setup) against a real server
// with loopback DNS and SMTP, from a pipe and in a real terminal (tmux).
const exec = promisify(execFile);
const CLI = resolve("client/dist/cli.cjs");
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let mx: Awaited<ReturnType<typeof mxServer>>;
let server: Awaited<ReturnType<typeof startLoggedServer>>;
let env: NodeJS.ProcessEnv;
let dir: string;

/** 5,000 rows: quoted names with commas, quotes and a line break, extra columns, a repeated address. */
function listOf(rows: number): { file: string; records: string[][] } {
  const records = [["id", "name", "email", "notes"]];
  for (let i = 0; i < rows; i++) {
    const email =
      i % 10 < 5 ? `user${i}@cli-mail.test` : i % 10 < 9 ? `broken${i}@@cli-mail.test` : `u${i}@nx${i % 7}.test`;
    records.push([
      String(i),
      i % 3 === 0 ? `Silva, Ana "AJ" ${i}` : `Bo ${i}`,
      i === rows - 1 ? "user0@cli-mail.test" : email,
      i % 50 === 0 ? "first line\nsecond line" : "",
    ]);
  }
  const file = join(dir, `list-${rows}.csv`);
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  writeFileSync(file, `${records.map((r) => r.map(quote).join(",")).join("\r\n")}\r\n`);
  return { file, records };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailproof-cli-"));
  dns = await startDnsServer();
  const smtpPort = await freePort();
  const mailboxes: Record<string, "accept"> = {};
  for (let i = 0; i < 5000; i += 20) mailboxes[`user${i}@cli-mail.test`] = "accept";
  mx = await mxServer({ host: "127.0.0.11", port: smtpPort, mailboxes });
  dns.publish("cli-mail.test", { MX: [{ priority: 10, exchange: "mx.cli-mail.test" }] });
  dns.publish("mx.cli-mail.test", { A: ["127.0.0.11"] });
  server = await startLoggedServer({
    DATABASE_URL: "",
    DNS_SERVERS: dns.server,
    VALIDATION_SMTP_PORT: String(smtpPort),
    VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
    VALIDATION_GREYLIST_RETRY_MS: "0",
    DOMAIN_RECHECK_INTERVAL: "0",
    // A list over the 100,000 of one job is a test of its own below.
    BULK_BODY_LIMIT: "40mb",
  });
  env = { ...process.env, MAILPROOF_URL: server.url, MAILPROOF_KEY: server.key };
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await mx?.close();
  await dns?.close();
});

const run = (args: string[]) =>
  exec("node", [CLI, ...args], { env, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const read = (file: string) => parse(readFileSync(file), { bom: true }) as string[][];

describe("mailproof validate", () => {
  it("validates a 5,000-row CSV: every row and column out, in order, with the results added", async () => {
    const { file, records } = listOf(5000);
    const out = join(dir, "results.csv");
    const result = await run(["validate", file, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const written = read(out);
    expect(written[0]).toEqual(["id", "name", "email", "notes", "result", "reason", "did_you_mean"]);
    expect(written).toHaveLength(records.length);
    // The input's columns, quotes, commas and line breaks included, come back as they were.
    expect(written.map((r) => r.slice(0, 4))).toEqual(records);
    const byEmail = new Map(written.slice(1).map((r) => [r[2], r[4]]));
    expect(byEmail.get("user0@cli-mail.test")).toBe("deliverable");
    expect(byEmail.get("user1@cli-mail.test")).toBe("undeliverable");
    expect(byEmail.get("broken5@@cli-mail.test")).toBe("undeliverable");
    expect(byEmail.get("u9@nx2.test")).toBe("undeliverable");
    expect(written.slice(1).every((r) => ["deliverable", "undeliverable", "risky", "unknown"].includes(r[4]!))).toBe(
      true,
    );
    // Not a terminal: plain progress lines, no control characters; a summary at the end.
    expect(result.stderr).toMatch(/^validated \d+ of 4999 addresses/m);
    expect(result.stderr).not.toContain("\u001b[");
    expect(result.stderr).toMatch(/4999 addresses: 250 deliverable, 0 risky, 4749 undeliverable, 0 unknown/);
  }, 120_000);

  it("--only keeps the rows of the results asked for; --column names the address column", async () => {
    const { file } = listOf(200);
    const result = await run(["validate", file, "--column", "email", "--only", "deliverable"]);
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout) as string[][];
    expect(rows.slice(1).map((r) => r[2])).toEqual(
      Array.from({ length: 10 }, (_, i) => `user${i * 20}@cli-mail.test`).concat("user0@cli-mail.test"),
    );
    const wrong = await run(["validate", file, "--column", "mail"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("no column named 'mail' (columns: id, name, email, notes)");
  }, 60_000);

  it("--delete deletes the jobs, with the list the API held, once the results are written", async () => {
    const { file } = listOf(50);
    const out = join(dir, "deleted.csv");
    const result = await run(["validate", file, "--out", out, "--delete"]);
    expect(result.code, result.stderr).toBe(0);
    expect(read(out)).toHaveLength(51);
    expect(result.stderr).toMatch(/; written to .*deleted\.csv; the jobs are deleted$/m);
    const id = /started job (\S+)/.exec(result.stderr)![1]!;
    const job = await fetch(`${server.url}/v1/email-validations/${id}`, {
      headers: { authorization: `Bearer ${server.key}` },
    });
    expect(job.status).toBe(404);
  }, 60_000);

  it("reads a bare list and Excel's exports, and writes each back as it was separated", async () => {
    const bare = join(dir, "bare.txt");
    writeFileSync(bare, "user0@cli-mail.test\nuser1@cli-mail.test\n");
    const fromBare = await run(["validate", bare]);
    expect(fromBare.code, fromBare.stderr).toBe(0);
    expect(parse(fromBare.stdout)).toEqual([
      ["email", "result", "reason", "did_you_mean"],
      ["user0@cli-mail.test", "deliverable", "accepted_email", ""],
      ["user1@cli-mail.test", "undeliverable", "rejected_email", ""],
    ]);
    // Excel's "Unicode text": UTF-16LE after its byte order mark, tab-separated.
    const unicode = join(dir, "unicode.txt");
    writeFileSync(
      unicode,
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from("Name\tE-mail\r\nZoë\tuser0@cli-mail.test\r\n", "utf16le"),
      ]),
    );
    const fromUnicode = await run(["validate", unicode]);
    expect(fromUnicode.code, fromUnicode.stderr).toBe(0);
    expect(parse(fromUnicode.stdout, { bom: true, delimiter: "\t" })).toEqual([
      ["Name", "E-mail", "result", "reason", "did_you_mean"],
      ["Zoë", "user0@cli-mail.test", "deliverable", "accepted_email", ""],
    ]);
    const semicolons = join(dir, "semicolons.csv");
    writeFileSync(semicolons, 'Name;Email Address\r\n"Silva; Ana";user1@cli-mail.test\r\n');
    const fromSemicolons = await run(["validate", semicolons]);
    expect(fromSemicolons.stdout).toBe(
      'Name;Email Address;result;reason;did_you_mean\n"Silva; Ana";user1@cli-mail.test;undeliverable;rejected_email;\n',
    );
  }, 60_000);

  it("an interrupted run says how to resume; --job resumes it and writes the same file", async () => {
    const { file } = listOf(3000);
    const child: ChildProcess = spawn("node", [CLI, "validate", file, "--out", join(dir, "never.csv")], { env });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    await expect.poll(() => stderr, { timeout: 20_000 }).toMatch(/started job [0-9a-f-]{36}/);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const id = /started job ([0-9a-f-]{36})/.exec(stderr)![1]!;
    expect(stderr).toContain(`mailproof validate ${file} --job ${id}`);

    const out = join(dir, "resumed.csv");
    const resumed = await run(["validate", file, "--job", id, "--out", out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toContain("started job");
    expect(read(out)).toHaveLength(3001);
  }, 60_000);

  it("shows a progress bar with counts and ETA in a real terminal", async () => {
    const { file } = listOf(5000);
    const out = join(dir, "tty.csv");
    const session = `mailproof-${process.pid}`;
    const command = `node ${CLI} validate ${file} --out ${out}; echo "exit=$?"; sleep 60`;
    await exec("tmux", [
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "160",
      "-y",
      "20",
      "-e",
      `MAILPROOF_URL=${server.url}`,
      "-e",
      `MAILPROOF_KEY=${server.key}`,
      command,
    ]);
    try {
      const pane = async () => (await exec("tmux", ["capture-pane", "-p", "-t", session])).stdout;
      await expect.poll(pane, { timeout: 60_000, interval: 200 }).toContain("exit=0");
      const screen = await pane();
      expect(screen).toMatch(/validating \[=+\] 100% \| 4999\/4999 addresses \| ETA \d+s/);
      // One bar, redrawn in place (a pipe gets one line per change instead).
      expect(screen.match(/validating/g)).toHaveLength(1);
      expect(screen).toContain("written to");
    } finally {
      await exec("tmux", ["kill-session", "-t", session]).catch(() => undefined);
    }
  }, 90_000);
});

describe("mailproof validate, a list over one job's 100,000", () => {
  it("splits it into two jobs and writes one file with every row", async () => {
    const file = join(dir, "big.csv");
    const rows = Array.from({ length: 100_001 }, (_, i) => `${i},broken${i}@@cli-mail.test`);
    writeFileSync(file, `n,email\n${rows.join("\n")}\n`);
    const out = join(dir, "big-out.csv");
    const result = await run(["validate", file, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^started jobs [0-9a-f-]{36}, [0-9a-f-]{36}$/m);
    const written = read(out);
    expect(written).toHaveLength(100_002);
    expect(written[100_001]).toEqual(["100000", "broken100000@@cli-mail.test", "undeliverable", "invalid_syntax", ""]);
  }, 180_000);
});

describe("mailproof check and destinations", () => {
  it("checks one address, adds, lists and resends a destination", async () => {
    const checked = await run(["check", "user0@cli-mail.test"]);
    expect(checked.stdout).toMatch(/^user0@cli-mail\.test {2}deliverable {2}accepted_email/m);
    const added = await run(["destinations", "add", "ana@cli-mail.test"]);
    expect(added.code).toBe(0);
    const id = /^([0-9a-f-]{36}) {2}ana@cli-mail\.test {2}pending/.exec(added.stdout)![1]!;
    expect((await run(["destinations", "list", "--status", "pending"])).stdout).toContain(id);
    // The test server has no minimum interval; the 24-hour cap (5) ends the resends with a 429.
    let last = await run(["destinations", "resend", id]);
    for (let i = 0; i < 5 && last.code === 0; i++) last = await run(["destinations", "resend", id]);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/not sent \(resend_cap_reached\): try again in \d+ s/);
  }, 60_000);

  it("exits 1 on a failure of the API, and takes --url and --key over the environment", async () => {
    const { file } = listOf(10);
    const unknown = await run(["validate", file, "--job", "00000000-0000-4000-8000-000000000000"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^mailproof: 404 not_found: /m);
    const flags = await exec("node", [CLI, "check", "user0@cli-mail.test", "--url", server.url, "--key", server.key], {
      env: { PATH: process.env.PATH, MAILPROOF_URL: "http://127.0.0.1:9", MAILPROOF_KEY: "mp_live_wrong" },
    });
    expect(flags.stdout).toContain("deliverable");
  });

  it("says in words a user can act on why it failed before the API answered", async () => {
    // Nothing listens on a port just found free: the connection is refused.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await run(["check", "a@cli-mail.test", "--url", closed]);
    expect(unreachable).toMatchObject({ code: 1 });
    expect(unreachable.stderr).toBe(
      `mailproof: cannot reach the API at ${closed}: connect ECONNREFUSED ${closed.slice(7)}\n`,
    );
    const notAUrl = await run(["check", "a@cli-mail.test", "--url", "127.0.0.1:8080"]);
    expect(notAUrl).toMatchObject({ code: 2 });
    expect(notAUrl.stderr).toContain("must be an http:// or https:// URL, such as http://127.0.0.1:8080");
    const missing = await run(["validate", join(dir, "no-such-list.csv")]);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toBe(`mailproof: ${join(dir, "no-such-list.csv")}: no such file or directory\n`);
    const option = await run(["check", "a@cli-mail.test", "--colour"]);
    expect(option).toMatchObject({ code: 2 });
    expect(option.stderr).toMatch(/^mailproof: Unknown option '--colour'/);
    for (const failed of [unreachable, notAUrl, missing, option])
      expect(failed.stderr).not.toMatch(/TypeError|ENOENT:/);
  });

  it("says what is missing without configuration", async () => {
    const bare = await exec("node", [CLI, "check", "a@b.c"], { env: { PATH: process.env.PATH } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bare).toMatchObject({ code: 2, stderr: expect.stringContaining("set MAILPROOF_URL and MAILPROOF_KEY") });
  });
});
