// Names for the contract's types, so users of the client never spell out the generated paths.
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

export type { components, paths };
export type Problem = Schemas["Problem"];
export type ProblemCode = Schemas["ProblemCode"];
export type Destination = Schemas["Destination"];
export type SenderIdentity = Schemas["SenderIdentity"];
export type MailboxDomain = Schemas["MailboxDomain"];
export type EmailValidation = Schemas["EmailValidation"];
export type EmailValidationSummary = Schemas["EmailValidationSummary"];
export type ValidationResult = Schemas["ValidationResult"];
export type ValidationStatus = Schemas["ValidationStatus"];

/** The list endpoints, all cursor-paged the same way. */
export type ListPath = "/v1/destinations" | "/v1/sender-identities" | "/v1/mailbox-domains" | "/v1/email-validations";
type ListOperation<P extends ListPath> = paths[P]["get"];
export type ListItem<P extends ListPath> =
  ListOperation<P>["responses"][200]["content"]["application/json"]["data"][number];
/** A list's filters (everything but paging). */
export type ListFilters<P extends ListPath> = Omit<NonNullable<ListOperation<P>["parameters"]["query"]>, "page">;

/** `page[size]` as the contract bounds it: 1 to 100 (a literal outside it does not compile). */
export type PageSize = Exclude<Enumerate<101>, 0>;
type Enumerate<N extends number, Acc extends number[] = []> = Acc["length"] extends N
  ? Acc[number]
  : Enumerate<N, [...Acc, Acc["length"]]>;

export const TERMINAL_STATUSES: readonly ValidationStatus[] = ["completed", "canceled", "error"];
