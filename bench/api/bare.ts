// The baseline: bare Express 5 answering the same JSON, with no auth, validation or store.
import express from "express";
import { BARE_DESTINATION } from "./destination.js";

const app = express();
app.use(express.json());
app.get("/v1/destinations/:id", (_req, res) => {
  res.json(BARE_DESTINATION);
});
app.post("/v1/destinations", (req, res) => {
  res
    .status(201)
    .location(`/v1/destinations/${BARE_DESTINATION.id}`)
    .json({ ...BARE_DESTINATION, email: (req.body as { email: string }).email });
});
const port = Number(process.env.PORT ?? 8090);
app.listen(port, "127.0.0.1", () => process.stdout.write(`bare express on ${port}\n`));
