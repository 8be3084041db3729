import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import type { Request, Response } from "express";

const gzipped = promisify(gzip);

/**
 * A document served as it is, whole (the reference page: 2.7 MB; the contract): with a strong
 * ETag, so a browser that has it revalidates for a 304 instead of downloading it again, and
 * gzip-compressed for a client that accepts it (the page: 2.7 MB to 0.7 MB). It is compressed once,
 * on the first request that wants it, off the event loop, and kept.
 */
export function staticDocument(body: string | Buffer, type: string): (req: Request, res: Response) => Promise<void> {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  // Hashed on first use, not at start: every process builds the app, few serve the page.
  let etag: string | undefined;
  let compressed: Promise<Buffer> | undefined;
  return async (req, res) => {
    etag ??= `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`;
    // no-cache: kept, but asked about on each use (a new version of the server serves a new page).
    res.set({ ETag: etag, "Cache-Control": "no-cache", Vary: "Accept-Encoding" }).type(type);
    if (req.fresh) return void res.status(304).end();
    if (req.acceptsEncodings("gzip", "identity") !== "gzip") return void res.send(bytes);
    compressed ??= gzipped(bytes, { level: constants.Z_BEST_COMPRESSION }).catch((error: unknown) => {
      compressed = undefined;
      throw error;
    });
    res.set("Content-Encoding", "gzip").send(await compressed);
  };
}
