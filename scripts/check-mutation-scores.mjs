// Every mutated module must score at least the break threshold on its own (Stryker's own break
// applies to the total only, where a strong module could hide a weak one).
import { readFileSync } from "node:fs";

const config = JSON.parse(readFileSync(new URL("../stryker.config.json", import.meta.url), "utf8"));
const report = JSON.parse(readFileSync(new URL("../reports/mutation/mutation.json", import.meta.url), "utf8"));
const threshold = config.thresholds.break;
let failed = false;
for (const [file, { mutants }] of Object.entries(report.files)) {
  const detected = mutants.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
  const valid = mutants.filter((m) => ["Killed", "Timeout", "Survived", "NoCoverage"].includes(m.status)).length;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  const line = `${score.toFixed(1).padStart(5)} %  ${file}`;
  if (score < threshold) {
    failed = true;
    console.error(`${line}  (below ${threshold} %)`);
  } else console.log(line);
}
process.exit(failed ? 1 : 0);
