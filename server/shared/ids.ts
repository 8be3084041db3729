import { hash, randomBytes, randomUUID } from "node:crypto";

/** A new resource id: a UUID v4, as the contract's Uuid schema promises. */
export const newId = (): string => randomUUID();
// One-shot: half the time of createHash().update().digest() for a key or token (run per request).
export const sha256Hex = (value: string): string => hash("sha256", value, "hex");
/** `bytes` random bytes as base64url (no padding). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");
