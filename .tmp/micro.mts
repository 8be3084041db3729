import { SMTPServer } from "smtp-server";
import { probeDomain } from "../server/validation/engine/smtp-probe.ts";
const server = new SMTPServer({ secure: false, disabledCommands: ["STARTTLS", "AUTH"], logger: false, hidePIPELINING: !!process.env.NOPIPE,
  onRcptTo(a, _s, cb) { a.address.startsWith("ok-") ? cb() : cb(Object.assign(new Error("No"), { responseCode: 550 })); } });
server.on("error", () => undefined);
await new Promise<void>((r) => server.listen(2525, "127.0.0.1", r));
const rcpts = Array.from({ length: 100 }, (_, i) => `${process.env.KIND ?? (i % 2 ? "ok" : "no")}-${i}@d.test`);
const settings = { port: 2525, heloName: "x.test", mailFrom: "v@x.test", connectTimeoutMs: 2000, commandTimeoutMs: 2000, greylistRetryMs: 0 };
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  const r = await probeDomain(["127.0.0.1"], "d.test", rcpts, settings);
  console.log(r.kind, (performance.now() - t).toFixed(1), "ms");
}
server.close(); process.exit(0);
