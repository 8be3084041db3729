import { createHmac, timingSafeEqual } from "node:crypto";
import { randomToken, sha256Hex } from "../shared/ids.js";

/**
 * The confirm form's anti-forgery value, bound to its link: the page's cookie holds a random
 * nonce, and the form field carries that nonce with an HMAC of (nonce, the token's hash) under a
 * secret every process shares. A made-up cookie and field pair, or a pair taken from another
 * link's page, does not verify; only a form this server rendered for this link does.
 */
export class FormGuard {
  constructor(private readonly secret: () => Promise<string>) {}

  /** A fresh nonce for the cookie, and the matching form field for this token. */
  async issue(token: string): Promise<{ nonce: string; field: string }> {
    const nonce = randomToken(16);
    return { nonce, field: `${nonce}.${await this.mac(nonce, token)}` };
  }

  async verify(token: string, field: unknown, cookieNonce: string | undefined): Promise<boolean> {
    if (typeof field !== "string" || !cookieNonce) return false;
    const [nonce, mac, ...rest] = field.split(".");
    if (!nonce || !mac || rest.length > 0 || nonce !== cookieNonce) return false;
    const expected = Buffer.from(await this.mac(nonce, token));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private async mac(nonce: string, token: string): Promise<string> {
    return createHmac("sha256", await this.secret())
      .update(`${nonce}|${sha256Hex(token)}`)
      .digest("base64url");
  }
}
