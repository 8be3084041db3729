import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { inProcessServer } from "../support/in-process.js";

// The client package as a frontend uses it: bundled by esbuild from the built package (as a
// bundler resolves `@mailproof/client`), loaded by a page on another origin in Debian's
// Chromium, calling a real server that allows that origin (CORS_ORIGINS).
let api: Awaited<ReturnType<typeof inProcessServer>>;
let site: Server;
let origin: string;
let browser: Browser;

const entry = `
import { createClient, paginate, unwrap, VERSION } from "@mailproof/client";
window.run = async (baseUrl, apiKey, email) => {
  const client = createClient({ baseUrl, apiKey });
  const created = unwrap(await client.POST("/v1/destinations", { body: { email } }));
  let listed = 0;
  for await (const d of paginate(client, "/v1/destinations", {}, { pageSize: 1 }))
    listed += d.id === created.id ? 1 : 0;
  const account = unwrap(await client.GET("/v1/account"));
  return { version: VERSION, status: created.status, listed, account: account.display_name };
};
`;

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]!.text;
  site = createServer((req, res) => {
    if (req.url === "/app.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    res
      .writeHead(200, { "content-type": "text/html" })
      .end('<!doctype html><script type="module" src="/app.js"></script>');
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  api = await inProcessServer({ env: { CORS_ORIGINS: origin } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await new Promise((r) => site?.close(r));
});

describe("the client in a browser", () => {
  it("bundles, runs on another origin and calls the API through CORS (preflights included)", async () => {
    const key = await api.createKey("Acme Frontend");
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    await page.goto(origin);
    await page.waitForFunction(() => "run" in window);
    const result = await page.evaluate(
      ([url, apiKey]) =>
        (window as unknown as { run: (u: string, k: string, e: string) => Promise<unknown> }).run(
          url!,
          apiKey!,
          "browser@acme-logistics.com",
        ),
      [api.url, key],
    );
    expect(result).toEqual({ version: "0.1.0", status: "pending", listed: 1, account: "Acme Frontend" });
    expect(errors).toEqual([]);
  }, 60_000);
});
