import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { cpuSeconds } from "./cpu-time.js";

// A process that burns `ms` of CPU time (its own, not the wall clock's: on a loaded machine a
// loop of 400 ms by the clock gets less), then waits to be killed, so that its time can be read.
const BUSY = (ms: number) =>
  `const spent = () => { const u = process.cpuUsage(); return u.user + u.system; };
   while (spent() < ${ms * 1000}) for (let i = 0; i < 1e5; i++);
   console.log("done"); setInterval(() => {}, 1000);`;

async function untilDone(child: ReturnType<typeof spawn>): Promise<void> {
  let output = "";
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    if (output.includes("done")) return;
  }
}

describe("cpuSeconds", () => {
  it("reads the CPU time a process has used", async () => {
    const child = spawn(process.execPath, ["-e", BUSY(500)], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await untilDone(child);
      const used = cpuSeconds(child.pid!);
      // 500 ms of CPU time, Node's start included, as getrusage counts it; /proc counts in the
      // kernel's ticks (10 ms) and its own accounting, a little apart.
      expect(used).toBeGreaterThanOrEqual(0.45);
      expect(used).toBeLessThan(1.5);
    } finally {
      child.kill();
      await once(child, "exit");
    }
  });

  it("counts the processes a process started (tsx runs bare Express in a child)", async () => {
    const parent = spawn("sh", ["-c", `${JSON.stringify(process.execPath)} -e '${BUSY(500)}'`], {
      stdio: ["ignore", "pipe", "inherit"],
      detached: true, // its own process group: the child goes with it
    });
    try {
      await untilDone(parent);
      // The shell itself used next to nothing: the time is its child's.
      expect(cpuSeconds(parent.pid!)).toBeGreaterThanOrEqual(0.45);
    } finally {
      const exited = once(parent, "exit");
      process.kill(-parent.pid!, "SIGKILL");
      await exited;
    }
  });

  it("is 0 for a process that is gone, not an error", () => {
    expect(cpuSeconds(2 ** 22 + 12345)).toBe(0);
  });
});
