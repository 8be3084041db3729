import nodemailer from "nodemailer";
import { confirmationMessage } from "../server/mail/confirmation-message.ts";
const t = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
const m = confirmationMessage({ to: "ana@acme.test", link: "http://127.0.0.1:8080/confirm/abcdefabcdefabcdefabcdefabcdef", expiresAt: "2026-11-30T00:00:00Z", accountName: "Acme", purpose: "forward mail", note: null });
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) await t.sendMail({ from: "x@y.test", to: m.to, subject: m.subject, text: m.text, html: m.html });
  console.log("sendMail", ((performance.now() - t0) / 500).toFixed(3), "ms each");
  const t1 = performance.now();
  for (let i = 0; i < 500; i++) confirmationMessage({ to: "ana@acme.test", link: "http://127.0.0.1:8080/confirm/abc" + i, expiresAt: "2026-11-30T00:00:00Z", accountName: "Acme", purpose: "forward mail", note: null });
  console.log("compose", ((performance.now() - t1) / 500).toFixed(3), "ms each");
}
