// npm run keys -- create --account <name> [--label <text>] | list [--json] | revoke <key id or prefix>
import { CommandError, option, runCommand, say, withServices } from "./command.js";

const usage = `usage:
  npm run keys -- create --account <name> [--label <text>]
                                            create a key (and the account if it is new); the key is shown once
  npm run keys -- list [--json]             keys with their account, label, prefix, creation, last use and state
  npm run keys -- revoke <key id or prefix> the key stops working at once`;

runCommand("keys", (args) =>
  withServices(async ({ accounts }) => {
    const [command, ...rest] = args;
    if (command === "create") {
      const name = option(rest, "--account", usage);
      if (!name) throw new CommandError(usage);
      const label = option(rest, "--label", usage);
      const created = await accounts.createKey(name, label === undefined ? {} : { label });
      say(
        `account ${created.accountName} (${created.accountId})\nkey id  ${created.keyId}\nAPI key ` +
          `${created.key}\n\nStore it now: it is not kept and cannot be shown again.`,
      );
      return 0;
    }
    if (command === "list") {
      const keys = (await accounts.listKeys()).map((k) => ({
        id: k.id,
        account: k.account_name,
        label: k.label,
        prefix: k.prefix,
        created_at: k.created_at,
        last_used_at: k.last_used_at,
        revoked_at: k.revoked_at,
      }));
      if (rest.includes("--json")) {
        say(JSON.stringify(keys, null, 2));
        return 0;
      }
      if (keys.length === 0) say("no keys");
      for (const k of keys)
        say(
          `${k.id}  ${k.prefix}…  account=${k.account}  label=${JSON.stringify(k.label ?? "")}  ` +
            `created=${k.created_at}  last_used=${k.last_used_at ?? "never"}  ` +
            `${k.revoked_at ? `revoked=${k.revoked_at}` : "active"}`,
        );
      return 0;
    }
    if (command === "revoke" && rest[0]) {
      const n = await accounts.revoke(rest[0]);
      if (n === 0) throw new CommandError(`no active key with id or prefix ${rest[0]}`);
      say(`revoked ${n} key${n > 1 ? "s" : ""}`);
      return 0;
    }
    throw new CommandError(usage);
  }),
);
