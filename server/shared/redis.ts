import { Redis } from "ioredis";
import type { LogLines } from "./logger.js";

export interface RedisStore {
  client: Redis;
  /**
   * A command failed while the connection looked ready: it was not answered in time (a black-holed
   * connection looks ready for as long as TCP lets it), or answered with an error (a replica after
   * a failover answers READONLY). The connection is dropped and made again, so that until it
   * answers, callers find it not ready at once instead of each waiting the timeout.
   */
  failed(): void;
  /** Connected and answering (as far as this process knows). */
  up(): boolean;
  close(): Promise<void>;
}

/** How long a starting process waits for Redis before it starts counting budgets in memory. */
const START_WAIT_MS = 5_000;

/**
 * The process's Redis when `url` is set (REDIS_URL), once it answers or START_WAIT_MS have passed:
 * budgets count there from the first request when it is up at start, but it need not be.
 */
export async function redisAtStart(
  url: string | undefined,
  keyPrefix: string,
  logger: LogLines,
): Promise<RedisStore | undefined> {
  if (!url) return undefined;
  const { store, ready } = openRedis(url, keyPrefix, logger);
  await ready(START_WAIT_MS);
  return store;
}

/**
 * A Redis connection whose every wait is bounded: no command waits for a connection (no offline
 * queue), none waits longer than a second for its answer, and reconnecting goes on in the
 * background (every second at most). Losing it and getting it back are logged once each.
 */
function openRedis(
  url: string,
  keyPrefix: string,
  logger: LogLines,
): { store: RedisStore; ready: (timeoutMs: number) => Promise<boolean> } {
  const client = new Redis(url, {
    // Every key mailproof writes starts with it, so that it can share a Redis with others.
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Generous for a store that answers in a millisecond: a busy process reads its answers late,
    // and each timeout sends this process's counting to memory until it reconnects.
    commandTimeout: 1_000,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  let lost = false;
  const lose = (reason: string) => {
    if (lost) return;
    lost = true;
    logger.warn({ reason }, "redis unavailable: request budgets are counted in this process until it answers");
  };
  // Without a listener, an 'error' event would end the process.
  client.on("error", (error: Error) => lose(error.message));
  client.on("ready", () => {
    if (!lost) return;
    lost = false;
    logger.info({}, "redis answers again: request budgets are counted there");
  });
  const store: RedisStore = {
    client,
    failed() {
      if (client.status !== "ready") return;
      lose("a command was not answered in time");
      client.disconnect(true);
    },
    up: () => client.status === "ready",
    async close() {
      client.disconnect(false);
    },
  };
  const ready = (timeoutMs: number) =>
    client.status === "ready"
      ? Promise.resolve(true)
      : new Promise<boolean>((resolve) => {
          const done = (connected: boolean) => {
            clearTimeout(timer);
            client.off("ready", onReady);
            resolve(connected);
          };
          const onReady = () => done(true);
          const timer = setTimeout(() => done(false), timeoutMs);
          client.once("ready", onReady);
        });
  return { store, ready };
}
