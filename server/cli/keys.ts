// npm run keys -- create --account <name> | list | revoke <key id or prefix>
import { compose } from "../compose.js";
import { ConfigError, loadConfig } from "../config.js";
import { openMigratedDatabase } from "../db/database.js";
import { systemClock } from "../shared/clock.js";
import { silentLogger } from "../shared/logger.js";

const usage = `usage:
  npm run keys -- create --account <name>   create a key (and the account if it is new); the key is shown once
  npm run keys -- list                      keys with their account, prefix and state (never the key)
  npm run keys -- revoke <key id or prefix> the key stops working at once`;

async function run(args: string[]): Promise<number> {
  const config = loadConfig(process.env);
  const db = await openMigratedDatabase(config);
  try {
    const { accounts } = compose({ db, config, clock: systemClock, logger: silentLogger });
    const [command, ...rest] = args;
    if (command === "create") {
      const at = rest.indexOf("--account");
      const name = at >= 0 ? rest[at + 1] : undefined;
      if (!name) return fail(usage);
      const created = await accounts.createKey(name);
      process.stdout.write(
        `account ${created.accountName} (${created.accountId})\nkey id  ${created.keyId}\nAPI key ` +
          `${created.key}\n\nStore it now: it is not kept and cannot be shown again.\n`,
      );
      return 0;
    }
    if (command === "list") {
      const keys = await accounts.listKeys();
      if (keys.length === 0) process.stdout.write("no keys\n");
      for (const k of keys)
        process.stdout.write(
          `${k.id}  ${k.prefix}…  account=${k.account_name}  created=${k.created_at}  ` +
            `${k.revoked_at ? `revoked=${k.revoked_at}` : "active"}\n`,
        );
      return 0;
    }
    if (command === "revoke" && rest[0]) {
      const n = await accounts.revoke(rest[0]);
      if (n === 0) return fail(`no active key with id or prefix ${rest[0]}`);
      process.stdout.write(`revoked ${n} key${n > 1 ? "s" : ""}\n`);
      return 0;
    }
    return fail(usage);
  } finally {
    await db.destroy();
  }
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `keys: ${String(error)}`}\n`);
    process.exit(1);
  },
);
