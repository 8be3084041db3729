import { addressChecks } from "../engine/address-checks.js";
import { type EngineSettings, ValidationEngine } from "../engine/engine.js";
import { type ValidationResult, verdict } from "../engine/verdict.js";

/**
 * One address checked now, for sign-up forms, within EMAIL_CHECK_TIMEOUT_MS: what cannot be
 * decided by then is `unknown` (`smtp_timeout`). A greylisting server's retry would take longer
 * than anyone waits on a form, so the single check never waits for it.
 */
export class EmailCheckService {
  constructor(
    private readonly settings: EngineSettings,
    private readonly timeoutMs: number,
    private readonly onResult: (result: ValidationResult) => void = () => {},
  ) {}

  async check(email: string): Promise<ValidationResult> {
    const engine = new ValidationEngine(this.settings);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), this.timeoutMs)));
    try {
      const result = (await Promise.race([engine.validate([email]).then((r) => r[0]!), deadline])) ?? timedOut(email);
      this.onResult(result);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}

function timedOut(email: string): ValidationResult {
  const address = addressChecks(email);
  return address.valid ? verdict(email, "smtp_timeout", address.checks) : address.result;
}
