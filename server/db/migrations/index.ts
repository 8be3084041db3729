import type { Migration, MigrationProvider } from "kysely";
import * as initial from "./001-initial.js";
import * as confirmations from "./002-confirmations.js";
import * as verifiedOwner from "./003-verified-domain-owner.js";
import * as emailValidations from "./004-email-validations.js";
import * as inputsInChunks from "./005-validation-inputs-in-chunks.js";
import * as abuseLimits from "./006-abuse-limits.js";
import * as fairClaims from "./007-fair-claims.js";
import * as operations from "./008-operations.js";
import * as probeHealth from "./009-probe-health.js";
import * as webhooks from "./010-webhooks.js";
import * as unusedSendIndex from "./011-unused-send-index.js";
import * as sendsWithoutIdIndex from "./012-sends-without-id-index.js";
import * as idempotencyKeysByAge from "./013-idempotency-keys-by-age.js";
import * as confirmationTokensByExpiry from "./014-confirmation-tokens-by-expiry.js";

/** Every migration, in order. Names are stable: they are recorded in the database. */
const migrations: Record<string, Migration> = {
  "001-initial": initial,
  "002-confirmations": confirmations,
  "003-verified-domain-owner": verifiedOwner,
  "004-email-validations": emailValidations,
  "005-validation-inputs-in-chunks": inputsInChunks,
  "006-abuse-limits": abuseLimits,
  "007-fair-claims": fairClaims,
  "008-operations": operations,
  "009-probe-health": probeHealth,
  "010-webhooks": webhooks,
  "011-unused-send-index": unusedSendIndex,
  "012-sends-without-id-index": sendsWithoutIdIndex,
  "013-idempotency-keys-by-age": idempotencyKeysByAge,
  "014-confirmation-tokens-by-expiry": confirmationTokensByExpiry,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
