import { createRequire } from "node:module";

// Disposable domains come from a maintained package (disposable-email-domains, ~120,000 names);
// role accounts and free providers are short, stable lists kept here.
const disposable = new Set(createRequire(import.meta.url)("disposable-email-domains") as string[]);

/** Local parts that name a role or a group, not a person (RFC 2142 and common practice). */
const ROLES = new Set([
  "abuse",
  "accounting",
  "accounts",
  "admin",
  "administrator",
  "billing",
  "contact",
  "customerservice",
  "dev",
  "devnull",
  "dns",
  "enquiries",
  "ftp",
  "help",
  "helpdesk",
  "hostmaster",
  "hr",
  "info",
  "inquiries",
  "it",
  "jobs",
  "legal",
  "mail",
  "mailer-daemon",
  "marketing",
  "media",
  "news",
  "newsletter",
  "no-reply",
  "noc",
  "noreply",
  "office",
  "ops",
  "orders",
  "postmaster",
  "press",
  "privacy",
  "root",
  "sales",
  "security",
  "service",
  "support",
  "sysadmin",
  "team",
  "usenet",
  "uucp",
  "webmaster",
  "www",
]);

/** Free mailbox providers. The first block are the major ones typo suggestions aim at. */
const MAJOR_PROVIDERS = [
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "msn.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "gmx.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "yandex.ru",
  "mail.ru",
  "protonmail.com",
  "proton.me",
  "zoho.com",
  "comcast.net",
  "yahoo.co.uk",
  "hotmail.co.uk",
  "yahoo.fr",
  "hotmail.fr",
  "orange.fr",
  "free.fr",
  "libero.it",
  "qq.com",
  "163.com",
];
const FREE = new Set([
  ...MAJOR_PROVIDERS,
  "mail.com",
  "email.com",
  "inbox.com",
  "fastmail.com",
  "hey.com",
  "tutanota.com",
  "tuta.io",
  "yahoo.de",
  "yahoo.es",
  "yahoo.it",
  "yahoo.ca",
  "yahoo.com.br",
  "hotmail.de",
  "hotmail.es",
  "hotmail.it",
  "live.co.uk",
  "live.fr",
  "outlook.de",
  "t-online.de",
  "laposte.net",
  "sfr.fr",
  "wanadoo.fr",
  "ymail.com",
  "rocketmail.com",
  "att.net",
  "verizon.net",
  "sbcglobal.net",
  "126.com",
  "sina.com",
  "naver.com",
  "daum.net",
  "rediffmail.com",
  "seznam.cz",
  "wp.pl",
  "o2.pl",
  "interia.pl",
  "rambler.ru",
  "bk.ru",
  "list.ru",
  "inbox.ru",
  "ukr.net",
  "bol.com.br",
  "uol.com.br",
  "terra.com.br",
]);

export const isDisposable = (domain: string) => disposable.has(domain) || disposable.has(parentDomain(domain));
export const isRoleAccount = (local: string) => ROLES.has(local.toLowerCase().replace(/\+.*$/, ""));
export const isFreeProvider = (domain: string) => FREE.has(domain);

/**
 * A correction for a likely typo in a major provider's domain (`gmial.com` → `gmail.com`,
 * `hotmal.con` → `hotmail.com`), or null. Only near-misses of a major provider are corrected:
 * a domain that is a known provider itself, or far from all of them, never is.
 */
export function suggestDomain(domain: string): string | null {
  if (FREE.has(domain)) return null;
  let best: { provider: string; distance: number } | null = null;
  for (const provider of MAJOR_PROVIDERS) {
    const limit = maxDistance(provider);
    // Lengths further apart than the limit can never be within it: skip the table.
    if (Math.abs(domain.length - provider.length) > limit) continue;
    const distance = damerauLevenshtein(domain, provider);
    if (distance <= limit && (!best || distance < best.distance)) best = { provider, distance };
  }
  return best?.provider ?? null;
}

// One edit for short names (gmx.de vs gmx.es would otherwise collide), two for longer ones.
const maxDistance = (provider: string) => (provider.length <= 8 ? 1 : 2);

const parentDomain = (domain: string) => domain.split(".").slice(-2).join(".");

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
function damerauLevenshtein(a: string, b: string): number {
  const width = b.length + 1;
  // One flat row-major table: (a.length + 1) × (b.length + 1).
  const d = new Uint16Array((a.length + 1) * width);
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * width + j]! + 1, d[i * width + j - 1]! + 1, d[(i - 1) * width + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[(i - 2) * width + j - 2]! + 1);
      d[i * width + j] = v;
    }
  }
  return d[a.length * width + b.length]!;
}
