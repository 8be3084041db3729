/** One result as the API reports it (the fields the MTA suite reads). */
export interface Result {
  email: string;
  result: string;
  reason: string;
  catch_all: boolean | null;
}

/**
 * An email validation job through the API, from create to a terminal status: its results by
 * address (every page) and how long it took.
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
  let next: string | null = `/v1/email-validations/${id}?page[size]=100`;
  while (next) {
    const page = (await (await fetch(`${baseUrl}${next}`, { headers })).json()) as {
      results: Result[];
      links: { next: string | null };
    };
    for (const r of page.results) results.set(r.email, r);
    next = page.links.next;
  }
  return { status, seconds, results };
}
