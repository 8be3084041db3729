/**
 * How fast one job may talk to each mail host, learned from the hosts themselves. A host that
 * answers with a rate limit ("450 4.7.1 too many recipients", "421 too many connections") is
 * given twice the wait it had before its next connection (exponential backoff from `baseMs` up
 * to `maxMs`), and keeps that pace for the rest of the job: its limit is counted per minute or
 * per hour, so the next domain it hosts would meet it again. A connection that got answers
 * before the limit halves the wait (the window had reopened: waiting longer than that is
 * wasted). Hosts that never limit us are not slowed at all.
 */
/** One host's side of HostPace, for the code that talks to that host only. */
export interface Pacer {
  slowDown(): number;
  progressed(): void;
  waitBefore(): number;
  started(): void;
}

export class HostPace {
  private readonly intervals = new Map<string, number>();
  private readonly lastStart = new Map<string, number>();

  constructor(
    private readonly baseMs = 1000,
    private readonly maxMs = 60_000,
  ) {}

  /** The pace of one host, bound to it. */
  of(host: string): Pacer {
    return {
      slowDown: () => this.slowDown(host),
      progressed: () => this.progressed(host),
      waitBefore: () => this.waitBefore(host),
      started: () => this.started(host),
    };
  }

  /** The host limited us: the wait between its connections doubles. Returns the new wait. */
  slowDown(host: string): number {
    const interval = Math.min(this.maxMs, Math.max(this.baseMs, (this.intervals.get(host) ?? 0) * 2));
    this.intervals.set(host, interval);
    return interval;
  }

  /** The host answered on a connection before limiting us again: the wait halves. */
  progressed(host: string): void {
    const interval = this.intervals.get(host);
    if (interval) this.intervals.set(host, Math.max(this.baseMs, Math.floor(interval / 2)));
  }

  /** How long to wait, from `now`, before the next connection to `host` may start. */
  waitBefore(host: string, now = Date.now()): number {
    const interval = this.intervals.get(host) ?? 0;
    const last = this.lastStart.get(host);
    return interval === 0 || last === undefined ? 0 : Math.max(0, last + interval - now);
  }

  /** A connection to `host` starts now. */
  started(host: string, now = Date.now()): void {
    this.lastStart.set(host, now);
  }
}
