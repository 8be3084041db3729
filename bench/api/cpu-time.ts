// The CPU time a server spent, read from /proc: every thread of its process and of the processes
// it started (tsx runs bare Express in a child; the mail thread and SQLite's checkpointer are
// threads of mailproof's). Per request, this is what a target costs the machine, whatever the
// machine's speed did meanwhile to the requests per second: on two cores shared with wrk, a ratio
// of req/s also measures how the scheduler split the cores.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** Seconds of CPU (user + system) used so far by `pid` and its descendants that are still running. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) ticks += ownTicks(p);
  return ticks / TICKS_PER_SECOND;
}

function ownTicks(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  // The fields after the command name, which is in parentheses and may hold spaces: utime and
  // stime are the 14th and 15th fields of the line, the 12th and 13th after the name.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function processTree(pid: number): number[] {
  const children = (read(`/proc/${pid}/task/${pid}/children`) ?? "").split(" ").filter(Boolean).map(Number);
  return [pid, ...children.flatMap(processTree)];
}

function read(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null; // the process ended meanwhile
  }
}
