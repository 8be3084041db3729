import { createHash, randomFillSync } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

/**
 * A new resource id: a UUID of version 7, whose first 48 bits are the time it was made. Rows made
 * together sit together in every index keyed by id (a primary key, a subject's sends), so a commit
 * writes a few pages at the end of those B-trees instead of one page per row at random places.
 * (Ids made within the same millisecond are in no particular order among themselves.)
 */
export const newId = (): string => uuidv7({ random: pooledRandomBytes(16) });
export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");
/** `bytes` random bytes as base64url (no padding). */
export const randomToken = (bytes = 32): string => pooledRandomBytes(bytes).toString("base64url");

const pool = Buffer.alloc(4096);
let used = pool.length;

/**
 * Random bytes from the operating system's CSPRNG, fetched 4 KiB at a time, as Node's randomUUID
 * does: one call into OpenSSL per ~100 ids and tokens instead of one each (uuid's own source asks
 * for every id; that was 3 % of a create's CPU time). Every byte is handed out once.
 */
export function pooledRandomBytes(bytes: number): Buffer {
  if (bytes > pool.length) return randomFillSync(Buffer.alloc(bytes));
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const taken = Buffer.from(pool.subarray(used, used + bytes)); // a copy: the pool is refilled later
  used += bytes;
  return taken;
}
