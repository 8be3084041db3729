import type { components } from "../../generated/schema.js";
import { randomToken } from "../shared/ids.js";

export type DnsRecord = components["schemas"]["DnsRecord"];

export interface RecordSettings {
  /** Where the domain's MX must point (INBOUND_MX_HOST); no MX record is asked for when unset. */
  inboundMxHost: string | undefined;
  /** The SPF include (SPF_INCLUDE); no SPF record is asked for when unset. */
  spfInclude: string | undefined;
}

/**
 * The records a new domain must publish. They are fixed when the domain is created (stored with
 * it), so changing the settings later never invalidates what an operator already published.
 */
export function recordsFor(domain: string, settings: RecordSettings): DnsRecord[] {
  const pending = { status: "pending" as const, observed_values: [] };
  const records: DnsRecord[] = [
    {
      purpose: "ownership",
      type: "TXT",
      name: `_mailproof.${domain}`,
      value: `mailproof-verification=${randomToken(18)}`,
      priority: null,
      ...pending,
    },
  ];
  if (settings.inboundMxHost)
    records.push({
      purpose: "inbound_mx",
      type: "MX",
      name: domain,
      value: settings.inboundMxHost,
      priority: 10,
      ...pending,
    });
  if (settings.spfInclude)
    records.push({
      purpose: "spf",
      type: "TXT",
      name: domain,
      value: `v=spf1 include:${settings.spfInclude} ~all`,
      priority: null,
      ...pending,
    });
  return records;
}
