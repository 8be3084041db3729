import type { Reply } from "./smtp-session.js";

/** How long a refusal of the probe's sender keeps /healthz saying so. */
export const REFUSAL_MEMORY_MS = 60 * 60_000;

/**
 * What this process's probes learned about their own identity: when a mail host last refused
 * the sender (MAIL FROM), which one, and what it said. Workers carry the time in their heartbeat,
 * so that /healthz of every process sees refusals wherever they happened.
 */
export class ProbeHealth {
  private last: { at: number; host: string; reply: Reply } | null = null;

  recordRefusal(host: string, reply: Reply, at = Date.now()): void {
    this.last = { at, host, reply };
  }

  /** When the sender was last refused within REFUSAL_MEMORY_MS, as an ISO time; else null. */
  refusedSince(now = Date.now()): string | null {
    return this.last && now - this.last.at < REFUSAL_MEMORY_MS ? new Date(this.last.at).toISOString() : null;
  }
}
