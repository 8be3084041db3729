import { createHash } from "node:crypto";
import { shownAddress } from "../shared/email.js";
import { escapeHtml } from "../shared/html.js";

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 0; padding: 2rem 1rem; background: #f6f7f9; color: #1b1f24; }
  main {
    max-width: 32rem; margin: 0 auto; background: #fff; padding: 2rem;
    border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12);
  }
  h1 { font-size: 1.5rem; margin-top: 0; }
  button {
    font-size: 1rem; padding: .75rem 1.5rem; border: 0; border-radius: 6px;
    background: #0b57d0; color: #fff; cursor: pointer;
  }
  button:focus { outline: 3px solid #f4b400; outline-offset: 2px; }
  .address { font-weight: 600; word-break: break-all; }
`;

/**
 * The pages' Content-Security-Policy: nothing may load or run but this one stylesheet (allowed by
 * its hash, not 'unsafe-inline'), forms post only to us, and no site may frame the page.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** A small, self-contained, accessible page (no scripts, no external resources). */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export function confirmPage(input: { email: string; accountName: string; purpose: string; csrf: string }): string {
  const address = shownAddress(input.email);
  return page(
    `Confirm ${address}`,
    `<h1>Confirm your address</h1>
<p><strong>${escapeHtml(input.accountName)}</strong> asked to ${escapeHtml(input.purpose)}:</p>
<p class="address">${escapeHtml(address)}</p>
<p>If that is you and you agree, press Confirm. If not, close this page: nothing happens.</p>
<form method="post">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
<button type="submit">Confirm</button>
</form>`,
  );
}

export function confirmedPage(email: string, already: boolean): string {
  return page(
    already ? "Already confirmed" : "Confirmed",
    `<h1>${already ? "Already confirmed" : "Thank you"}</h1>
<p><span class="address">${escapeHtml(shownAddress(email))}</span> ${
      already ? "was already confirmed. There is nothing more to do." : "is confirmed. You can close this page."
    }</p>`,
  );
}

export const notFoundPage = () =>
  page(
    "Link not valid",
    `<h1>This link is not valid</h1>
<p>Check that you opened the whole link from the email.
If the address was changed or removed since, the link no longer works.</p>`,
  );

export const expiredPage = (email: string) =>
  page(
    "Link expired",
    `<h1>This link has expired</h1>
<p>The link for <span class="address">${escapeHtml(shownAddress(email))}</span> is too old or was replaced.
Ask for a new confirmation email.</p>`,
  );

export const badRequestPage = () =>
  page(
    "Request not understood",
    `<h1>This request was not understood</h1>
<p>Open the whole link from the email again, and press Confirm on the page it shows.</p>`,
  );

export const tooManyRequestsPage = (seconds: number) =>
  page(
    "Too many requests",
    `<h1>Too many requests</h1>
<p>Please wait ${seconds} seconds, then open the link from the email again.</p>`,
  );

export const methodNotAllowedPage = () =>
  page(
    "Not allowed",
    `<h1>This page cannot do that</h1>
<p>Open the link from the email in a browser and press Confirm.</p>`,
  );

export const errorPage = () =>
  page(
    "Something went wrong",
    `<h1>Something went wrong</h1>
<p>Nothing was changed. Please open the link from the email again in a moment.</p>`,
  );

export const staleFormPage = () =>
  page(
    "Please try again",
    `<h1>Please try again</h1>
<p>This form has expired. Open the link from your email again and press Confirm.</p>`,
  );
