import { randomBytes, randomUUID } from "node:crypto";
import { domainToASCII } from "node:url";
import parseAddresses from "nodemailer/lib/addressparser";
import { encodeWords, foldLines, isPlainText, quoteString } from "nodemailer/lib/mime-funcs";
import { encode as quotedPrintable, wrap } from "nodemailer/lib/qp";

/** One confirmation mail's parts, as confirmation-message.ts writes them. */
export interface MimeParts {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface ComposedMail {
  /** The whole message, headers and body, with `newline` between lines. */
  raw: string;
  /** Its Message-ID header, angle brackets included. */
  messageId: string;
  /** The SMTP envelope: the sender's and the recipient's bare addresses. */
  envelope: { from: string; to: string[] };
}

/**
 * Composes the one kind of mail mailproof sends (text and HTML alternatives, quoted-printable,
 * UTF-8), using nodemailer's encoders for every byte that needs encoding. nodemailer's general
 * composer (attachments, embedded images, any header) cost about 200 µs of CPU per mail, most of
 * a create's, against about 15 µs for this fixed layout (bench/README.md, issue 18).
 */
export function mailComposer(from: string): (parts: MimeParts, newline: "\n" | "\r\n") => ComposedMail {
  // MAIL_FROM holds an "@" (config.ts); should the parser find no mailbox in it, it is the address.
  const parsed = parseAddresses(from)[0];
  const sender = asciiAddress(parsed?.address ? parsed.address : from.trim());
  const fromHeader = formatAddress(parsed?.address ? parsed.name : "", sender);
  const idDomain = sender.slice(sender.lastIndexOf("@") + 1);
  return (parts, newline) => {
    const recipient = asciiAddress(parts.to);
    const messageId = `<${randomUUID()}@${idDomain}>`;
    const boundary = `--_mailproof-${randomBytes(12).toString("hex")}`;
    const headers = [
      header("From", fromHeader),
      header("To", recipient),
      header("Subject", encodeWords(oneLine(parts.subject), "Q", 52)),
      `Message-ID: ${messageId}`,
      `Date: ${new Date().toUTCString().replace(/GMT$/, "+0000")}`,
      "MIME-Version: 1.0",
      `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
    ];
    const part = (type: string, body: string) =>
      [
        `--${boundary}`,
        `Content-Type: ${type}; charset=utf-8`,
        "Content-Transfer-Encoding: quoted-printable",
        "",
        // Line breaks stay line breaks (CRLF on the wire); everything else that is not plain
        // 7-bit text is encoded, and lines are wrapped at 76 characters.
        body
          .split(/\r?\n/)
          .map((line) => wrap(quotedPrintable(line), 76))
          .join("\r\n"),
      ].join("\r\n");
    const raw = [...headers, "", part("text/plain", parts.text), part("text/html", parts.html), `--${boundary}--`, ""]
      .join("\r\n")
      .replace(/\r\n/g, newline);
    return { raw, messageId, envelope: { from: sender, to: [recipient] } };
  };
}

/** A header line, folded at 76 characters as RFC 5322 asks (foldLines breaks with CRLF). */
function header(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76);
}

/** An address on one line, its domain in ASCII (what headers and an SMTP envelope carry). */
function asciiAddress(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? oneLine(address) : `${oneLine(address.slice(0, at))}@${asciiDomain(address.slice(at + 1))}`;
}

/** `name <address>`, the name as it is, quoted or encoded, as it needs. */
function formatAddress(name: string, address: string): string {
  const display = oneLine(name).trim();
  if (!display) return address;
  if (!isPlainText(display)) return `${encodeWords(display, "Q", 52)} <${address}>`;
  return `${/^[\w ]*$/.test(display) ? display : quoteString(display)} <${address}>`;
}

function asciiDomain(domain: string): string {
  return domainToASCII(domain.toLowerCase()) || domain;
}

/** A header value can never start a new header: a line break in it becomes a space. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}
