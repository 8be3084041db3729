import type { DnsRecord } from "./records.js";

/**
 * A record as DNS shows it now: `found` when one of the observed values matches what must be
 * published, `mismatch` when something else is there (or, for a verified domain, the ownership
 * record is gone), `pending` when nothing is. Only SPF records (`v=spf1`) count for the SPF
 * include; the values kept are the ones that count.
 */
export function judgeRecord(record: DnsRecord, observed: string[], verified: boolean): DnsRecord {
  const relevant = record.purpose === "spf" ? observed.filter((v) => /^v=spf1(\s|$)/i.test(v)) : observed;
  if (relevant.some((value) => matches(record, value)))
    return { ...record, status: "found", observed_values: relevant };
  const gone = verified && record.purpose === "ownership";
  return { ...record, status: relevant.length > 0 || gone ? "mismatch" : "pending", observed_values: relevant };
}

/** Host names compare case-insensitively, as DNS does; TXT values exactly (tokens are case-sensitive). */
function matches(record: DnsRecord, observed: string): boolean {
  if (record.type === "MX") return observed.split(" ")[1]?.toLowerCase() === record.value.toLowerCase();
  if (record.purpose === "spf") {
    const wanted = /include:(\S+)/.exec(record.value)?.[1]?.toLowerCase();
    return observed.toLowerCase().split(/\s+/).includes(`include:${wanted}`);
  }
  return observed.trim() === record.value;
}
