/**
 * Unicode's bidirectional embedding, override and isolate controls (U+202A to U+202E, U+2066 to
 * U+2069). In a value shown to a person they reorder the text after it: a name ending in U+202E
 * turns "asked to forward mail to this address" around, or makes it read as something else. Text
 * in right-to-left scripts needs none of them (the marks U+200E and U+200F stay).
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** A user's value as a person is shown it, in a mail or on a page: without bidirectional controls. */
export const shownText = (value: string) => value.replace(BIDI_CONTROLS, "");

/** Escapes text for HTML element content and quoted attribute values (and drops bidirectional controls). */
export const escapeHtml = (value: string) =>
  shownText(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
