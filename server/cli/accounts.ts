// npm run accounts -- list [--json] | rename <name> --display-name <text> | delete <name> --yes
import { isDisplayName } from "../accounts/service.js";
import { CommandError, option, runCommand, say, withServices } from "./command.js";

const usage = `usage:
  npm run accounts -- list [--json]                         accounts with their display names
  npm run accounts -- rename <name> --display-name <text>   what the people we email see for this account
  npm run accounts -- delete <name> --yes                   the account and everything it holds, for good`;

runCommand("accounts", (args) =>
  withServices(async ({ accounts }) => {
    const [command, ...rest] = args;
    if (command === "list") {
      const list = (await accounts.listAccounts()).map((a) => ({
        id: a.id,
        name: a.name,
        display_name: a.display_name ?? a.name,
        created_at: a.created_at,
      }));
      if (rest.includes("--json")) say(JSON.stringify(list, null, 2));
      else if (list.length === 0) say("no accounts");
      else for (const a of list) say(`${a.id}  ${a.name}  display_name=${JSON.stringify(a.display_name)}`);
      return 0;
    }
    if (command === "rename" && rest[0] && !rest[0].startsWith("--")) {
      const displayName = option(rest, "--display-name", usage);
      if (displayName === undefined) throw new CommandError(usage);
      if (!isDisplayName(displayName))
        throw new CommandError(
          "--display-name: 1 to 100 characters, no control characters, line breaks or bidirectional controls, " +
            "no white space at either end",
        );
      if (!(await accounts.setDisplayNameOf(rest[0], displayName)))
        throw new CommandError(`no account named ${rest[0]}`);
      say(`account ${rest[0]}: display name ${JSON.stringify(displayName)}`);
      return 0;
    }
    if (command === "delete" && rest[0] && !rest[0].startsWith("--")) {
      if (!rest.includes("--yes"))
        throw new CommandError(
          `delete removes account ${rest[0]} with its destinations, sender identities, mailbox domains, ` +
            "validations, webhook endpoints and keys, for good: add --yes",
        );
      if (!(await accounts.deleteAccount(rest[0]))) throw new CommandError(`no account named ${rest[0]}`);
      say(`account ${rest[0]} deleted, with everything it held; its keys no longer work`);
      return 0;
    }
    throw new CommandError(usage);
  }),
);
