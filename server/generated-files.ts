import { readFileSync } from "node:fs";

// The files `npm run generate` writes, read once at start. (This module sits one level below the
// project root, in server/ as in a build of it, so the relative URL holds in both.)
const file = (name: string) => readFileSync(new URL(`../generated/${name}`, import.meta.url));

export const bundledSpecJson = file("openapi.json");
export const bundledSpec = JSON.parse(bundledSpecJson.toString("utf8")) as object;
export const docsHtml = file("docs.html");

/** The package's version (the contract's `info.version` follows it). */
export const packageVersion = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
