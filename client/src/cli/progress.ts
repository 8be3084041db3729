import { SingleBar } from "cli-progress";

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * How far the jobs are: a bar with counts and ETA on a terminal (cli-progress), one plain line
 * per change otherwise (a pipe or a log file should not fill with control characters). It goes to
 * stderr: stdout may be the results.
 */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: "validating [{bar}] {percentage}% | {value}/{total} addresses | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 20,
    });
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  const start = Date.now();
  let last = -1;
  return {
    update(done, total) {
      if (done === last) return;
      last = done;
      const elapsed = (Date.now() - start) / 1000;
      const left = done > 0 && done < total ? Math.round((elapsed / done) * (total - done)) : null;
      stream.write(
        `validated ${done} of ${total} addresses (${total ? Math.floor((done / total) * 100) : 100}%)` +
          `${left === null ? "" : `, about ${left} s left`}\n`,
      );
    },
    stop() {},
  };
}
