import { isDisposable, isFreeProvider, isRoleAccount } from "./lists.js";
import { checkSyntax } from "./syntax.js";
import { type Checks, type ValidationResult, verdict } from "./verdict.js";

export type AddressChecks =
  | { valid: false; result: ValidationResult }
  | { valid: true; local: string; domain: string; addressLiteral: boolean; checks: Checks };

/** What an address shows before any lookup: its syntax, and the lists its parts are on. */
export function addressChecks(email: string): AddressChecks {
  const syntax = checkSyntax(email);
  if (!syntax.valid) {
    return {
      valid: false,
      result: verdict(email, "invalid_syntax", {
        syntax: false,
        internationalized: false,
        domain: null,
        mx: null,
        disposable: false,
        role_account: false,
        free_provider: false,
        smtp: null,
      }),
    };
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
