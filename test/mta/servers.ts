import { afterAll, beforeAll, expect } from "vitest";
import { startDnsServer } from "../support/dns-server.js";
import { startLoggedServer } from "../support/processes.js";
import { validateThroughApi } from "./jobs.js";
import { conversations, logMark, publishMtaZones } from "./postfix.js";

type Server = Awaited<ReturnType<typeof startLoggedServer>>;

/**
 * The suite's DNS server and one `npm start` server per entry of `envs`, probing Postfix on port 25
 * (started before the file's tests, stopped after). Whatever they do, Postfix's log must show no
 * DATA or BDAT from them: the probe never sends mail.
 */
export function mtaServers<K extends string>(envs: Record<K, Record<string, string>>) {
  const servers = {} as Record<K, Server>;
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let log: () => string;
  beforeAll(async () => {
    dns = await startDnsServer();
    publishMtaZones(dns);
    log = logMark();
    for (const [name, env] of Object.entries(envs) as [K, Record<string, string>][])
      servers[name] = await startLoggedServer({
        DNS_SERVERS: dns.server,
        VALIDATION_SMTP_PORT: "25",
        VALIDATION_ALLOW_PRIVATE_NETWORKS: "true",
        ...env,
      });
  });
  afterAll(async () => {
    await Promise.all(Object.values<Server>(servers).map((s) => s.stop()));
    await dns.close();
    const seen = conversations(log());
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((c) => "data" in c.commands || "bdat" in c.commands)).toEqual([]);
  });
  return {
    server: (name: K) => servers[name],
    /** Postfix's log since the file's servers started. */
    log: () => log(),
    validate: (name: K, emails: string[]) => validateThroughApi(servers[name].url, servers[name].key, emails),
  };
}
