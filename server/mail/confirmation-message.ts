import { escapeHtml } from "../shared/html.js";
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
 * The confirmation mail, in text and HTML. Every user-supplied value is escaped in the HTML part;
 * none reaches a header except the recipient, which the API validated as an address.
 */
export function confirmationMessage(mail: ConfirmationMail): MailMessage {
  const expires = new Date(mail.expiresAt).toUTCString();
  const note = mail.note ? `\n${mail.accountName} added a note:\n\n  ${mail.note.replace(/\r?\n/g, "\n  ")}\n` : "";
  const text = [
    `Hello,`,
    ``,
    `${mail.accountName} asked to ${mail.purpose}: ${mail.to}.`,
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
<strong>${escapeHtml(mail.to)}</strong>.</p>
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
  return { to: mail.to, subject: `Please confirm ${mail.to}`, text, html, resource: mail.resource };
}
