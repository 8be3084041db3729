import { shownAddress } from "../shared/email.js";
import { escapeHtml, shownText } from "../shared/html.js";
import type { MailMessage } from "./mailer.js";

export interface ConfirmationMail {
  to: string;
  link: string;
  expiresAt: string;
  /** Who asked: the account's display name. */
  accountName: string;
  /** The destination or sender identity the mail confirms (for the log). */
  resource: { type: string; id: string };
  /** What the confirmation allows, e.g. "forward mail to this address". */
  purpose: string;
  /** Shown (escaped) when present: the sender identity's personal note. */
  note: string | null;
}

/**
 * The confirmation mail, in text and HTML. Every user-supplied value is escaped in the HTML part
 * and shown without bidirectional controls in both (shared/html.ts); none reaches a header except
 * the recipient, which the API validated as an address.
 */
export function confirmationMessage(mail: ConfirmationMail): MailMessage {
  const expires = new Date(mail.expiresAt).toUTCString();
  // What the text part shows of a user's values; the HTML part's escaping does the same.
  const address = shownAddress(mail.to);
  const [name, purpose, to] = [mail.accountName, mail.purpose, address].map(shownText);
  const note = mail.note ? `\n${name} added a note:\n\n  ${shownText(mail.note).replace(/\r?\n/g, "\n  ")}\n` : "";
  const text = [
    `Hello,`,
    ``,
    `${name} asked to ${purpose}: ${to}.`,
    note,
    `If that is you and you agree, open this link and press Confirm:`,
    ``,
    `  ${mail.link}`,
    ``,
    `The link works until ${expires}. If you did not expect this mail, ignore it: nothing happens.`,
  ].join("\n");
  const html = `<!doctype html><html lang="en"><body style="font-family:sans-serif;max-width:36em">
<p>Hello,</p>
<p><strong>${escapeHtml(mail.accountName)}</strong> asked to ${escapeHtml(mail.purpose)}:
<strong>${escapeHtml(address)}</strong>.</p>
${
  mail.note
    ? `<p>${escapeHtml(mail.accountName)} added a note:</p><blockquote ` +
      `style="white-space:pre-wrap">${escapeHtml(mail.note)}</blockquote>`
    : ""
}
<p>If that is you and you agree, open this link and press Confirm:</p>
<p><a href="${escapeHtml(mail.link)}">${escapeHtml(mail.link)}</a></p>
<p>The link works until ${escapeHtml(expires)}. If you did not expect this mail, ignore it: nothing happens.</p>
</body></html>`;
  return { to: mail.to, subject: `Please confirm ${to}`, text, html, resource: mail.resource };
}
