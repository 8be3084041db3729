import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type MailproofClient } from "../../client/src/index.js";
import { launchChromium } from "../support/browser.js";
import { inProcessServer } from "../support/in-process.js";
import { latestOutboxPath } from "../support/mail.js";

// The whole flow as a person meets it: Debian's Chromium, headless, driven by playwright-core
// (which gives every launch a fresh, empty profile).
let server: Awaited<ReturnType<typeof inProcessServer>>;
let api: MailproofClient;
let browser: Browser;

beforeAll(async () => {
  server = await inProcessServer();
  api = createClient({ baseUrl: server.url, apiKey: await server.createKey("Acme Logistics") });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("confirming in a browser", () => {
  it("opening the link shows the page; pressing Confirm verifies the destination", async () => {
    const created = (await api.POST("/v1/destinations", { body: { email: "ana.silva@acme-logistics.com" } })).data!;
    const path = await latestOutboxPath(server.dataDir, "ana.silva@acme-logistics.com");
    const page = await (await browser.newContext()).newPage();
    const violations: string[] = [];
    page.on("console", (m) => void (/Content Security Policy/i.test(m.text()) && violations.push(m.text())));

    const opened = await page.goto(server.url + path);
    // The strict CSP allows the page's one stylesheet by its hash: the browser applied it.
    expect(
      await page.getByRole("button", { name: "Confirm" }).evaluate((b) => getComputedStyle(b).backgroundColor),
    ).toBe("rgb(11, 87, 208)");
    expect(violations).toEqual([]);
    expect(opened?.status()).toBe(200);
    await expect(page.title()).resolves.toBe("Confirm ana.silva@acme-logistics.com");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Confirm your address");
    expect(await page.locator("main").textContent()).toContain("Acme Logistics asked to forward mail to this address");
    // Only looking changes nothing.
    expect(
      (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })).data!
        .status,
    ).toBe("pending");

    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Confirm" }).click()]);
    await page.waitForSelector("text=is confirmed");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Thank you");

    const after = (
      await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })
    ).data!;
    expect(after.status).toBe("verified");
    expect(Date.parse(after.verified_at!)).toBeGreaterThan(Date.parse(created.created_at) - 1);
  });

  it("the reference page renders under its CSP, loading nothing from elsewhere", async () => {
    const page = await (await browser.newContext()).newPage();
    const blocked: string[] = [];
    page.on("console", (m) => void (/Content Security Policy/i.test(m.text()) && blocked.push(m.text())));
    await page.goto(`${server.url}/docs`);
    await page
      .getByRole("heading", { name: /mailproof API/ })
      .first()
      .waitFor();
    expect(await page.getByText("Destinations", { exact: true }).count()).toBeGreaterThan(0);
    // The servers it lists: the one it is served from, and the version of this package.
    const panel = await page.locator('[data-testid="server-panel-item-name"]').allTextContents();
    expect(panel).toEqual(["The server this document is served from"]);
    await expect.poll(() => page.locator("body").textContent()).toContain(server.config.publicUrl);
    expect(await page.locator("body").textContent()).toMatch(/\(0\.1\.0\)/);
    // What the CSP stopped is only the reference renderer's own logo from its CDN, never our scripts.
    expect(blocked.filter((v) => !/https:\/\/cdn\.redoc\.ly\//.test(v))).toEqual([]);
  });

  it("a link a mail scanner only fetches leaves the address pending", async () => {
    const created = (await api.POST("/v1/destinations", { body: { email: "scanned@acme-logistics.com" } })).data!;
    const path = await latestOutboxPath(server.dataDir, "scanned@acme-logistics.com");
    const page = await (await browser.newContext()).newPage();
    for (let i = 0; i < 3; i++) await page.goto(server.url + path);
    expect(
      (await api.GET("/v1/destinations/{destination_id}", { params: { path: { destination_id: created.id } } })).data!
        .status,
    ).toBe("pending");
  });
});
