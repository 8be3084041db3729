import { isDisposable, isFreeProvider, isRoleAccount, suggestDomain } from "./lists.js";
import { checkSyntax } from "./syntax.js";
import { type Checks, type ValidationResult, verdict } from "./verdict.js";

export type AddressChecks =
  | { valid: false; result: ValidationResult }
  | { valid: true; local: string; domain: string; addressLiteral: boolean; checks: Checks };

/** What an address shows before any lookup: its syntax, and the lists its parts are on. */
export function addressChecks(email: string): AddressChecks {
  const syntax = checkSyntax(email);
  if (!syntax.valid) {
    const checks = {
      syntax: false,
      internationalized: false,
      domain: null,
      mx: null,
      disposable: false,
      role_account: false,
      free_provider: false,
      smtp: null,
    };
    return { valid: false, result: verdict(email, "invalid_syntax", checks, { didYouMean: repaired(email) }) };
  }
  const checks: Checks = {
    syntax: true,
    internationalized: syntax.internationalized,
    domain: syntax.domain,
    mx: null,
    disposable: !syntax.addressLiteral && isDisposable(syntax.domain),
    role_account: isRoleAccount(syntax.local),
    free_provider: isFreeProvider(syntax.domain),
    smtp: null,
  };
  return { valid: true, local: syntax.local, domain: syntax.domain, addressLiteral: syntax.addressLiteral, checks };
}

/**
 * The address a malformed entry holds once the characters people paste around one are gone:
 * surrounding spaces (a phone's keyboard adds one after a suggestion), `mailto:`, a display name
 * and its angle brackets (`Ana Silva <ana@x.test>`, copied from a mail client), trailing dots;
 * with the domain's typo fixed too. Null if that is no address either. The verdict stays
 * `invalid_syntax`: the entry as given is not an address, and a form should show the suggestion.
 */
export function repaired(entry: string): string | null {
  let candidate = entry.trim();
  const bracketed = /<([^<>]*)>$/.exec(candidate);
  if (bracketed) candidate = bracketed[1]!.trim();
  candidate = candidate.replace(/^mailto:/i, "").replace(/\.+$/, "");
  if (candidate === entry) return null;
  const syntax = checkSyntax(candidate);
  if (!syntax.valid) return null;
  const domain = syntax.addressLiteral ? null : suggestDomain(syntax.domain);
  return domain ? `${syntax.local}@${domain}` : candidate;
}
