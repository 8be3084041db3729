import { createHash, randomBytes } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

/**
 * A new resource id: a UUID of version 7, whose first 48 bits are the time it was made. Rows made
 * together sit together in every index keyed by id (a primary key, a subject's sends), so a commit
 * writes a few pages at the end of those B-trees instead of one page per row at random places.
 */
export const newId = (): string => uuidv7();
export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");
/** `bytes` random bytes as base64url (no padding). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString("base64url");
