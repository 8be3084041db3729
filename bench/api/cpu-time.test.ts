import { describe, expect, it } from "vitest";
import { startProcess } from "../../test/support/processes.js";
import { cpuSeconds } from "./cpu-time.js";

// A process that burns 500 ms of CPU time (its own, not the wall clock's: on a loaded machine a
// loop of 400 ms by the clock got 0.35 s), says so, and stays until it is stopped or 5 s have
// passed (its time is read meanwhile; a grandchild nobody stops ends by itself).
const BUSY = `const spent = () => { const u = process.cpuUsage(); return u.user + u.system; };
  while (spent() < 500000) for (let i = 0; i < 1e5; i++);
  console.log("done"); setTimeout(() => {}, 5000);`;
const busy = (command: string, args: string[]) =>
  startProcess(command, args, async (output) => output.includes("done"), { name: "busy" });

describe("cpuSeconds", () => {
  it("reads the CPU time a process has used", async () => {
    const started = await busy(process.execPath, ["-e", BUSY]);
    try {
      const used = cpuSeconds(started.process.pid!);
      // 500 ms of CPU time, Node's start included, as getrusage counts it; /proc counts in the
      // kernel's ticks (10 ms) and its own accounting, a little apart.
      expect(used).toBeGreaterThanOrEqual(0.45);
      expect(used).toBeLessThan(1.5);
    } finally {
      await started.stop();
    }
  });

  it("counts the processes a process started (tsx runs bare Express in a child)", async () => {
    const started = await busy("sh", ["-c", `${JSON.stringify(process.execPath)} -e '${BUSY}'`]);
    try {
      // The shell itself used next to nothing: the time is its child's.
      expect(cpuSeconds(started.process.pid!)).toBeGreaterThanOrEqual(0.45);
    } finally {
      await started.stop();
    }
  });

  it("is 0 for a process that is gone, not an error", () => {
    expect(cpuSeconds(2 ** 22 + 12345)).toBe(0);
  });
});
