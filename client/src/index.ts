// The mailproof client: a typed openapi-fetch client for the whole contract plus the helpers
// every user writes otherwise (paging, waiting for a validation, resend with its cool-down).
export { authMiddleware, type ClientOptions, createClient, type MailproofClient } from "./client.js";
export { MailproofError, retryAfterSeconds, unwrap } from "./errors.js";
export { cursorOf, type PaginateOptions, paginate } from "./paginate.js";
export { type ResendOutcome, resendDestination, resendSenderIdentity } from "./resend.js";
export { type FetchLike, type RetryOptions, resilientFetch, type TransportOptions } from "./transport.js";
export * from "./types.js";
export { type ValidateOptions, validateEmails, validationResults } from "./validations.js";
export { VERSION } from "./version.js";
export {
  type IncomingHeaders,
  verifyWebhook,
  type WebhookEvent,
  type WebhookEventType,
  WebhookVerificationError,
} from "./webhooks.js";
