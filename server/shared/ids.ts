import { createHash, randomBytes, randomUUID } from "node:crypto";

export const newId = (): string => randomUUID();
export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");
/** `bytes` random bytes as base64url (no padding). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");
