import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ParsedMail, simpleParser } from "mailparser";

const LINK = /https?:\/\/[^\s"<>]+\/confirm\/[A-Za-z0-9_-]{43}/;

/** The confirmation path (`/confirm/<token>`) in a mail's text part. */
export function confirmationPath(mail: ParsedMail): string {
  const link = LINK.exec(mail.text ?? "")?.[0];
  if (!link) throw new Error(`no confirmation link in: ${mail.text ?? ""}`);
  return new URL(link).pathname;
}

/** Every mail of the outbox (the embedded transport), parsed, oldest first, optionally for one recipient. */
export async function outboxMails(dataDir: string, to?: string): Promise<ParsedMail[]> {
  let files: string[] = [];
  try {
    files = readdirSync(join(dataDir, "outbox")).sort();
  } catch {
    return [];
  }
  const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(join(dataDir, "outbox", f)))));
  return to ? mails.filter((m) => recipients(m).includes(to.toLowerCase())) : mails;
}

export function recipients(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((a) => a.value.map((v) => (v.address ?? "").toLowerCase()));
}

/** Waits until `check` returns a value (mail delivery is asynchronous). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The newest confirmation path mailed to `to` through the outbox. */
export function latestOutboxPath(dataDir: string, to: string): Promise<string> {
  return eventually(async () => {
    const mails = await outboxMails(dataDir, to);
    return mails.length > 0 ? confirmationPath(mails.at(-1)!) : undefined;
  });
}

/** Opens the page as a browser would and presses Confirm: GET (cookie + nonce), then POST. */
export async function confirmAsABrowser(baseUrl: string, path: string): Promise<Response> {
  const page = await fetch(baseUrl + path);
  const html = await page.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = page.headers.get("set-cookie")?.split(";")[0];
  if (!csrf || !cookie) throw new Error(`no form on the page (${page.status}): ${html.slice(0, 200)}`);
  return fetch(baseUrl + path, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: `csrf=${encodeURIComponent(csrf)}`,
  });
}
