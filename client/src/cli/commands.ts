import { type MailproofClient, paginate, resendDestination, unwrap } from "../index.js";
import { UsageError } from "./usage.js";

export async function checkCommand(client: MailproofClient, args: string[]): Promise<number> {
  const [email] = args;
  if (!email) throw new UsageError("usage: mailproof check <email>");
  const result = unwrap(await client.POST("/v1/email-checks", { body: { email } }));
  process.stdout.write(
    `${result.email}  ${result.result}  ${result.reason}` +
      `${result.did_you_mean ? `  (did you mean ${result.did_you_mean}?)` : ""}\n`,
  );
  return 0;
}

export async function destinationsCommand(
  client: MailproofClient,
  args: string[],
  options: { status?: string | undefined },
): Promise<number> {
  const [action, value] = args;
  if (action === "add" && value) {
    const d = unwrap(await client.POST("/v1/destinations", { body: { email: value } }));
    process.stdout.write(`${d.id}  ${d.email}  ${d.status}: the confirmation mail is on its way\n`);
    return 0;
  }
  if (action === "list") {
    const status = options.status;
    if (status !== undefined && status !== "pending" && status !== "verified")
      throw new UsageError("--status is pending or verified");
    for await (const d of paginate(client, "/v1/destinations", status ? { status } : {}))
      process.stdout.write(`${d.id}  ${d.email}  ${d.status}\n`);
    return 0;
  }
  if (action === "resend" && value) {
    const outcome = await resendDestination(client, value);
    if (outcome.sent) {
      process.stdout.write(`sent again to ${outcome.resource.email}\n`);
      return 0;
    }
    process.stderr.write(`not sent (${outcome.code}): try again in ${outcome.retryAfterSeconds} s\n`);
    return 1;
  }
  throw new UsageError("usage: mailproof destinations add <email> | list [--status s] | resend <id>");
}
