// npm run accounts -- list [--json] | rename <name> --display-name <text>
import { isDisplayName } from "../accounts/service.js";
import { CommandError, option, runCommand, say, withServices } from "./command.js";

const usage = `usage:
  npm run accounts -- list [--json]                         accounts with their display names
  npm run accounts -- rename <name> --display-name <text>   what the people we email see for this account`;

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
    throw new CommandError(usage);
  }),
);
