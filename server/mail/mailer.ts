import { writeFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import type { LogLines } from "../shared/logger.js";
import { perTurn } from "../shared/per-turn.js";
import { createDelivery, type DeliveryOutcome, type MailerSettings, type MailMessage } from "./delivery.js";

export type { DeliveryOutcome, MailerSettings, MailMessage } from "./delivery.js";

export interface Mailer {
  /** Queues a message; delivery is retried with backoff and never fails the API call. */
  send(message: MailMessage): void;
  /** `failing` while the last delivery attempt failed. */
  health(): "ok" | "failing";
  /** Resolves when nothing is queued or being retried (tests, shutdown). */
  idle(): Promise<void>;
}

/** What the mail thread tells the request thread (in arrays: what one turn of that thread had to say). */
export type ThreadEvent =
  | { kind: "log"; level: "info" | "warn" | "error"; message: string; fields: Record<string, unknown> }
  | { kind: "outcome"; outcome: DeliveryOutcome }
  | { kind: "done" };

/**
 * The mailer. With `thread` (the built mail-thread.js), composing and delivering happen in a worker
 * thread and the request thread only posts the message; without it (running from source, as
 * `npm run dev` does), in this thread.
 */
export function createMailer(
  settings: MailerSettings,
  logger: LogLines,
  options: { thread?: URL; onOutcome?: (outcome: DeliveryOutcome) => void } = {},
): Mailer {
  const queue = pendingCounter();
  let failing = false;
  const onHealth = (value: boolean) => (failing = value);
  const onOutcome = (outcome: DeliveryOutcome) => {
    onHealth(outcome === "retrying" || outcome === "given_up");
    options.onOutcome?.(outcome);
  };
  const inThisThread = () => {
    // Here, in the request thread, the outbox is written without blocking it.
    const delivery = createDelivery(settings, logger, onOutcome, writeFile);
    return (message: MailMessage) => void delivery.deliver(message).finally(() => queue.done());
  };
  let post: (message: MailMessage) => void;

  if (options.thread) {
    const worker = new Worker(options.thread, { workerData: settings });
    worker.unref(); // never keeps the process alive by itself; shutdown waits on idle()
    // The messages of one turn (a group commit's creates, say) go over in one postMessage: each
    // hand-over between threads costs both of them.
    const toThread = perTurn<MailMessage>((messages) => worker.postMessage(messages));
    worker.on("message", (events: ThreadEvent[]) => {
      for (const event of events) {
        if (event.kind === "log") logger[event.level](event.fields, event.message);
        else if (event.kind === "outcome") onOutcome(event.outcome);
        else queue.done();
      }
    });
    worker.on("error", (error) => {
      // What the thread held is lost (said in the log; those addresses can be resent); mail from
      // now on, and what had not been handed over yet, is delivered in this thread rather than
      // posted to a thread that is gone.
      const unsent = toThread.take();
      logger.error(
        {
          error: error.message,
          lost: queue.pending() - unsent.length,
        },
        "the mail thread failed; delivering in the request thread from now on",
      );
      onHealth(true);
      queue.drop(unsent.length);
      post = inThisThread();
      for (const message of unsent) post(message);
    });
    post = (message) => toThread.add(message);
  } else {
    post = inThisThread();
  }

  return {
    send(message) {
      queue.add();
      post(message);
    },
    health: () => (failing ? "failing" : "ok"),
    idle: () => queue.idle(),
  };
}

/** Messages handed over and not yet sent or given up, and who waits for none. */
function pendingCounter() {
  let pending = 0;
  const waiting: (() => void)[] = [];
  const settle = () => {
    if (pending === 0) for (const wake of waiting.splice(0)) wake();
  };
  return {
    add: () => void pending++,
    pending: () => pending,
    done: () => {
      pending--;
      settle();
    },
    /** The thread is gone: nothing it held will ever be done; `kept` messages never reached it. */
    drop: (kept: number) => {
      pending = kept;
      settle();
    },
    idle: () => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
  };
}
