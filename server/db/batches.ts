import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Runs `prune` (a delete of at most `batch` rows, answering how many it deleted) until a round
 * deletes fewer, with a turn of the event loop between rounds, so that a backlog of millions (a
 * store upgraded from before its sweep) never holds the store or the requests long. How many in all.
 */
export async function deleteInBatches(prune: () => Promise<number>, batch: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await prune();
    deleted += n;
    if (n < batch) return deleted;
    await nextTurn();
  }
}
