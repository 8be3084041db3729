import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import SQLite from "better-sqlite3";
import { describe, expect, inject, it } from "vitest";
import { loadConfig, sqliteFile } from "../../server/config.js";
import { openDatabase } from "../../server/db/database.js";
import { fresh, raw } from "../support/api.js";
import { confirmationPath, eventually, latestOutboxPath, outboxMails } from "../support/mail.js";
import { startLoggedServer } from "../support/processes.js";
import { createKey, keysCli } from "../support/real-server.js";

const server = inject("server");
const jsonBody = (value: unknown) => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });
const exec = promisify(execFile);

/** An operator's command (the built CLI `npm run <name>` runs), with its output and exit code. */
async function cli(script: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await exec("node", [`dist/cli/${script}.js`, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("accounts: the display name the people we email see", () => {
  it("rename sets it; the confirmation mail and page show it, never the internal name", async () => {
    const account = `internal-${fresh()}`;
    const key = await createKey(server.env, account);
    const renamed = await cli("accounts", ["rename", account, "--display-name", "Acme Forwarding"], server.env);
    expect(renamed).toMatchObject({ code: 0 });
    const email = `dn-${fresh()}@acme-logistics.com`;
    expect((await raw({ ...server, apiKey: key }, "POST", "/v1/destinations", jsonBody({ email }))).status).toBe(201);
    // The mail thread writes the .eml after the answer: wait for it.
    const mail = await eventually(async () => (await outboxMails(server.dataDir, email))[0]);
    expect(mail.text).toContain("Acme Forwarding asked to forward mail to this address");
    expect(mail.text).not.toContain(account);
    const page = await (await fetch(server.baseUrl + confirmationPath(mail))).text();
    expect(page).toContain("<strong>Acme Forwarding</strong> asked to forward mail");

    // Renamed again by the operator while this server remembers the name: its mails show the new
    // one within a second (accounts/service.ts, DISPLAY_NAME_CACHE_MS).
    expect(await cli("accounts", ["rename", account, "--display-name", "Acme Relay"], server.env)).toMatchObject({
      code: 0,
    });
    const again = await eventually(async () => {
      const to = `dn-${fresh()}@acme-logistics.com`;
      await raw({ ...server, apiKey: key }, "POST", "/v1/destinations", jsonBody({ email: to }));
      const text = (await eventually(async () => (await outboxMails(server.dataDir, to))[0])).text ?? "";
      return text.includes("Acme Relay asked") ? text : undefined;
    });
    expect(again).toContain("Acme Relay asked to forward mail");

    const listed = await cli("accounts", ["list", "--json"], server.env);
    const accounts = JSON.parse(listed.stdout) as { name: string; display_name: string }[];
    expect(accounts.find((a) => a.name === account)?.display_name).toBe("Acme Relay");
  });

  it("PATCH /v1/account changes it for the account itself; GET and the next mail read it back", async () => {
    const account = `self-${fresh()}`;
    const key = await createKey(server.env, account);
    const as = { ...server, apiKey: key };
    // A mail just before: the name it showed is not what the next one shows.
    const before = `before-${fresh()}@acme-logistics.com`;
    await raw(as, "POST", "/v1/destinations", jsonBody({ email: before }));
    const beforePage = await (await fetch(server.baseUrl + (await latestOutboxPath(server.dataDir, before)))).text();
    expect(beforePage).toContain(`<strong>${account}</strong> asked to`);
    const patched = await raw(as, "PATCH", "/v1/account", jsonBody({ display_name: "Tokens Ltd" }));
    expect(patched.status).toBe(200);
    expect((await raw(as, "GET", "/v1/account")).json).toMatchObject({ display_name: "Tokens Ltd" });
    const email = `self-${fresh()}@acme-logistics.com`;
    await raw(as, "POST", "/v1/destinations", jsonBody({ email }));
    const page = await (await fetch(server.baseUrl + (await latestOutboxPath(server.dataDir, email)))).text();
    expect(page).toContain("<strong>Tokens Ltd</strong> asked to");
  });

  it("refuses a display name a mail could not show safely, and names no unknown account", async () => {
    // A header injection, and a right-to-left override that would turn the mail's sentence around.
    for (const name of ["Acme\r\nBcc: x@y.z", "Acme \u202Eliam ruoy ot sseccA"]) {
      const bad = await cli("accounts", ["rename", "default", "--display-name", name], server.env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("no control characters, line breaks or bidirectional controls");
    }
    const unknown = await cli("accounts", ["rename", `nobody-${fresh()}`, "--display-name", "X"], server.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no account named/);
  });

  it("delete removes an account with everything it holds, only with --yes; its key stops at once", async () => {
    const account = `leaving-${fresh()}`;
    const key = await createKey(server.env, account);
    const as = (method: string, path: string, body?: unknown) =>
      raw({ ...server, apiKey: key }, method, path, body === undefined ? {} : jsonBody(body));
    const domain = (await as("POST", "/v1/mailbox-domains", { domain: `${account}.example` })).json!;
    await as("POST", "/v1/sender-identities", { domain_id: domain.id, name: "B", email: `b@${account}.example` });
    await as("POST", "/v1/destinations", { email: `ana@${account}.example` });
    await as("POST", "/v1/email-validations", { emails: [`bo@${account}.example`] });
    await as("POST", "/v1/webhook-endpoints", { url: `https://hooks.${account}.example/` });
    const config = loadConfig(server.env);
    const db = openDatabase(config, sqliteFile(config));
    try {
      const { id } = await db.selectFrom("accounts").select("id").where("name", "=", account).executeTakeFirstOrThrow();
      const tables = [
        "api_keys",
        "destinations",
        "mailbox_domains",
        "sender_identities",
        "email_validations",
        "webhook_endpoints",
        "confirmation_sends",
        "confirmation_tokens",
        "idempotency_keys",
      ] as const;
      const rows = async () => {
        const counts: Record<string, number> = {};
        for (const table of tables)
          counts[table] = Number(
            (
              await db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as("n"))
                .where("account_id", "=", id)
                .executeTakeFirstOrThrow()
            ).n,
          );
        return counts;
      };
      // Every table holds rows of the account but the idempotency keys (no create here sent one).
      expect(Object.values(await rows()).filter((n) => n > 0)).toHaveLength(tables.length - 1);
      const unsure = await cli("accounts", ["delete", account], server.env);
      expect(unsure.code).toBe(1);
      expect(unsure.stderr).toContain("for good: add --yes");
      expect((await as("GET", "/v1/destinations")).status).toBe(200);

      const deleted = await cli("accounts", ["delete", account, "--yes"], server.env);
      expect(deleted).toMatchObject({ code: 0 });
      expect(deleted.stdout).toContain(`account ${account} deleted`);
      // The command waited until no API process could still remember the key.
      expect((await as("GET", "/v1/destinations")).status).toBe(401);
      expect(Object.values(await rows()).every((n) => n === 0)).toBe(true);
      const listed = JSON.parse((await cli("accounts", ["list", "--json"], server.env)).stdout) as { name: string }[];
      expect(listed.map((a) => a.name)).not.toContain(account);
      // Another account's resources are where they were.
      expect((await raw(server, "GET", "/v1/destinations")).status).toBe(200);
      expect((await cli("accounts", ["delete", account, "--yes"], server.env)).stderr).toMatch(/no account named/);
    } finally {
      await db.destroy();
    }
  });
});

describe("keys: labels and last use", () => {
  it("create takes a label; list --json shows it, when the key was made and last used (never the key)", async () => {
    const account = `labels-${fresh()}`;
    const { stdout } = await keysCli(server.env, ["create", "--account", account, "--label", "billing service"]);
    const key = /API key (\S+)/.exec(stdout)![1]!;
    const unused = JSON.parse((await keysCli(server.env, ["list", "--json"])).stdout) as Record<string, unknown>[];
    expect(unused.find((k) => k.account === account)).toMatchObject({ label: "billing service", last_used_at: null });

    const before = Date.now();
    expect((await raw({ ...server, apiKey: key }, "GET", "/v1/destinations")).status).toBe(200);
    // Written in the background, at most once a minute: poll for it.
    await expect
      .poll(async () => {
        const keys = JSON.parse((await keysCli(server.env, ["list", "--json"])).stdout) as Record<string, unknown>[];
        return keys.find((k) => k.account === account)?.last_used_at ?? null;
      })
      .not.toBeNull();
    const keys = JSON.parse((await keysCli(server.env, ["list", "--json"])).stdout) as Record<string, unknown>[];
    const mine = keys.find((k) => k.account === account)!;
    expect(Date.parse(mine.last_used_at as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(mine).toMatchObject({ label: "billing service", revoked_at: null, created_at: expect.any(String) });
    expect(JSON.stringify(keys)).not.toContain(key);
  });
});

describe("migrations: a command to run and to inspect them", () => {
  const emptyStore = () => ({ DATA_DIR: mkdtempSync(join(tmpdir(), "mailproof-migrate-")), DATABASE_URL: "" });

  it("--status lists what is pending (exit 3), migrate applies it, then --status is clean (exit 0)", async () => {
    const env = emptyStore();
    const pending = await cli("migrate", ["--status"], env);
    expect(pending.code).toBe(3);
    expect(pending.stdout).toMatch(/^pending {2}001-initial$/m);
    expect(pending.stdout).toMatch(/^pending {2}008-operations$/m);
    const applied = await cli("migrate", [], env);
    expect(applied).toMatchObject({ code: 0 });
    expect(applied.stdout).toContain("applied 001-initial");
    const clean = await cli("migrate", ["--status"], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^applied {2}008-operations {2}\d{4}-/m);
    expect(clean.stdout).toContain("the schema is up to date");
  });

  it("MIGRATE_ON_START=false: the server refuses a store that lacks migrations, and says what to run", async () => {
    const env = { ...emptyStore(), MIGRATE_ON_START: "false" };
    await expect(startLoggedServer(env)).rejects.toThrow(/run 'npm run migrate'/);
    expect((await cli("migrate", [], env)).code).toBe(0);
    const started = await startLoggedServer(env);
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
    await started.stop();
  });

  it("a store a newer version migrated still serves this version (rolling upgrades), and status says so", async () => {
    const env = emptyStore();
    expect((await cli("migrate", [], env)).code).toBe(0);
    const db = new SQLite(join(env.DATA_DIR, "mailproof.sqlite"));
    db.prepare("insert into kysely_migration (name, timestamp) values ('999-from-the-future', ?)").run(
      new Date().toISOString(),
    );
    db.close();
    const status = await cli("migrate", ["--status"], env);
    expect(status.stdout).toMatch(/^newer {4}999-from-the-future/m);
    const started = await startLoggedServer(env);
    expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
    await started.stop();
    const refused = await cli("migrate", [], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("a newer version of mailproof migrated this store");
  });
});

describe("backups: a consistent copy of a live SQLite store", () => {
  it("copies while the server takes writes; the copy passes integrity_check and holds the rows", async () => {
    const live = await startLoggedServer({ DATABASE_URL: "" });
    try {
      const create = (i: number) =>
        raw(
          { ...server, baseUrl: live.url, apiKey: live.key },
          "POST",
          "/v1/destinations",
          jsonBody({ email: `b${i}-${fresh()}@acme-logistics.com` }),
        );
      for (let i = 0; i < 50; i++) expect((await create(i)).status).toBe(201);
      // Writes go on while the backup runs.
      let writing = true;
      const writer = (async () => {
        for (let i = 50; writing; i++) await create(i);
      })();
      const file = join(mkdtempSync(join(tmpdir(), "mailproof-backup-")), "copy.sqlite");
      const backup = await cli("backup", [file], live.env);
      writing = false;
      await writer;
      expect(backup).toMatchObject({ code: 0 });
      expect(backup.stdout).toMatch(/integrity ok; accounts=1 api_keys=1 destinations=\d+/);

      const copy = new SQLite(file, { readonly: true });
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      const count = (copy.prepare("select count(*) as n from destinations").get() as { n: number }).n;
      expect(count).toBeGreaterThanOrEqual(50);
      // Every destination in the copy has its send record: one transaction's rows, never half of it.
      const orphans = copy
        .prepare(
          "select count(*) as n from destinations d where not exists " +
            "(select 1 from confirmation_sends s where s.subject_id = d.id)",
        )
        .get() as { n: number };
      expect(orphans.n).toBe(0);
      copy.close();

      const again = await cli("backup", [file], live.env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("exists: name a new file");
      expect(existsSync(`${file}.partial`)).toBe(false);
    } finally {
      await live.stop();
    }
  });

  it("on PostgreSQL it points to pg_dump instead", async () => {
    const result = await cli("backup", ["/tmp/never.sqlite"], { DATABASE_URL: "postgres://u@127.0.0.1:1/db" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("pg_dump");
  });
});
