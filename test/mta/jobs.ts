import { createClient, validationResults } from "../../client/src/index.js";

/** One result as the API reports it (the fields the MTA suite reads). */
export interface Result {
  email: string;
  result: string;
  reason: string;
  catch_all: boolean | null;
}

/**
 * An email validation job through the API, from create to a terminal status: its results by
 * address (every page, read with the client) and how long it took. It polls every 100 ms, not
 * as Retry-After says (the client's validateEmails): the time is what bench:mta measures.
 */
export async function validateThroughApi(
  baseUrl: string,
  key: string,
  emails: string[],
): Promise<{ status: string; seconds: number; results: Map<string, Result> }> {
  const headers = { authorization: `Bearer ${key}` };
  const t0 = performance.now();
  const created = await fetch(`${baseUrl}/v1/email-validations`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ emails }),
  });
  if (created.status !== 202) throw new Error(`create: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  let status: string;
  do {
    await new Promise((r) => setTimeout(r, 100));
    const job = await fetch(`${baseUrl}/v1/email-validations/${id}?page[size]=1`, { headers });
    status = ((await job.json()) as { status: string }).status;
  } while (status === "queued" || status === "processing");
  const seconds = (performance.now() - t0) / 1000;
  const results = new Map<string, Result>();
  for await (const r of validationResults(createClient({ baseUrl, apiKey: key }), id)) results.set(r.email, r);
  return { status, seconds, results };
}
