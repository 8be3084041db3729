// The baseline: bare Express 5 answering the same JSON, with no auth, validation or store.
import express from "express";

const destination = {
  id: "3f0c9a52-8d1e-4b7a-9c2f-5e6d7a8b9c01",
  email: "ana.silva@acme-logistics.com",
  status: "pending",
  verified_at: null,
  verification: { last_sent_at: null, sends_last_24h: 0, next_resend_at: null, expires_at: null },
  created_at: "2026-11-20T14:03:11.000Z",
  updated_at: "2026-11-20T14:03:11.000Z",
};

const app = express();
app.use(express.json());
app.get("/v1/destinations/:id", (_req, res) => {
  res.json(destination);
});
app.post("/v1/destinations", (req, res) => {
  res
    .status(201)
    .location(`/v1/destinations/${destination.id}`)
    .json({ ...destination, email: (req.body as { email: string }).email });
});
const port = Number(process.env.PORT ?? 8090);
app.listen(port, "127.0.0.1", () => process.stdout.write(`bare express on ${port}\n`));
