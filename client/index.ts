// The mailproof client: a typed openapi-fetch client for the whole contract plus the helpers
// every user writes otherwise (paging, waiting for a validation, resend with its cool-down).
export { createClient, authMiddleware, type ClientOptions, type MailproofClient } from "./client.js";
export { MailproofError, retryAfterSeconds, unwrap } from "./errors.js";
export { paginate, cursorOf, type PaginateOptions } from "./paginate.js";
export { validateEmails, validationResults, type ValidateOptions } from "./validations.js";
export { resendDestination, resendSenderIdentity, type ResendOutcome } from "./resend.js";
export * from "./types.js";
