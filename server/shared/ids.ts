import { createHash, randomBytes, randomUUID } from "node:crypto";

/** A new resource id: a UUID v4, as the contract's Uuid schema promises. */
export const newId = (): string => randomUUID();
export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");
/** `bytes` random bytes as base64url (no padding). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");
