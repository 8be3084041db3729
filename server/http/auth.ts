import type { Request } from "express";
import type { AccountService } from "../accounts/service.js";

/**
 * The `bearerAuth` security scheme of the contract: the validator calls it for exactly the
 * operations the spec secures. It resolves the key to an account (res.locals.accountId) or fails,
 * which the validator turns into a 401. The key is never logged.
 */
export function bearerAuth(accounts: AccountService) {
  return async (req: Request): Promise<boolean> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    if (!match?.[1]) throw Object.assign(new Error("Send your API key as 'Authorization: Bearer <key>'."), { status: 401 });
    const accountId = await accounts.authenticate(match[1]);
    if (!accountId) throw Object.assign(new Error("The API key is unknown or revoked."), { status: 401 });
    req.res!.locals.accountId = accountId;
    return true;
  };
}
