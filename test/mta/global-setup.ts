import { buildServer } from "../support/real-server.js";
import { requirePostfix } from "./postfix.js";

/** Postfix must answer (the error names the script that sets it up); the server is built as `npm start` builds it. */
export default async function setup(): Promise<void> {
  await requirePostfix();
  await buildServer();
}
