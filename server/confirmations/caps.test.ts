import { describe, expect, it } from "vitest";
import { capFreesAt, checkAccountQuota, checkAddressCaps, DAY_MS, HOUR_MS, pendingVerification } from "./caps.js";

// The rules with a fixed clock: no server, no database.
const T0 = Date.parse("2026-11-20T12:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();
const settings = { minIntervalMs: 60_000, capPer24h: 5, quotaPerHour: 3, tokenTtlMs: 7 * DAY_MS };

function refusal(run: () => void) {
  try {
    run();
  } catch (error) {
    return error as { status: number; code: string; detail: string; headers: Record<string, string> };
  }
  return null;
}

describe("per-address caps", () => {
  it.each([
    ["no mail yet", [], 0, null],
    ["the interval has passed", [at(0)], 60_000, null],
    ["sent 1 ms short of the interval", [at(0)], 59_999, "resend_too_soon"],
    ["sent just now", [at(0)], 0, "resend_too_soon"],
    ["four in the day", [at(0), at(1e6), at(2e6), at(3e6)], 4e6, null],
    ["five in the day", [at(0), at(1e6), at(2e6), at(3e6), at(4e6)], 5e6, "resend_cap_reached"],
  ])("%s", (_, recent, now, code) => {
    const error = refusal(() => checkAddressCaps(recent as string[], T0 + (now as number), settings));
    expect(error?.code ?? null).toBe(code);
    if (error) expect(error.status).toBe(429);
  });

  it("Retry-After is at least one second, however little is left", () => {
    const error = refusal(() => checkAddressCaps([at(0)], T0 + 59_900, settings))!;
    expect(error.headers["Retry-After"]).toBe("1");
    expect(error.detail).toContain("the next is allowed in 1 s");
  });

  it("the interval's refusal says how long ago and how long to wait, and Retry-After rounds up", () => {
    const error = refusal(() => checkAddressCaps([at(0)], T0 + 18_400, settings))!;
    expect(error.detail).toBe("A confirmation mail was sent to this address 18 s ago; the next is allowed in 42 s.");
    expect(error.headers["Retry-After"]).toBe("42");
  });

  it("the cap frees up when the oldest send that keeps it reached is a day old", () => {
    const sends = [at(0), at(10), at(20), at(30), at(40), at(50)];
    expect(capFreesAt(sends, 5)).toBe(T0 + 10 + DAY_MS);
    expect(capFreesAt(sends.slice(0, 4), 5)).toBeNull();
    expect(capFreesAt(sends.slice(0, 5), 5)).toBe(T0 + DAY_MS);
    const error = refusal(() => checkAddressCaps(sends.slice(0, 5), T0 + DAY_MS - 5000, settings))!;
    expect(error.headers["Retry-After"]).toBe("5");
    expect(error.detail).toContain("5 confirmation mails were sent to this address in the last 24 hours");
  });
});

describe("account quota", () => {
  it("refuses at the quota, and frees up an hour after the oldest of the newest sends", () => {
    expect(refusal(() => checkAccountQuota(undefined, T0 + 30, 3))).toBeNull();
    const error = refusal(() => checkAccountQuota(at(0), T0 + 30, 3))!;
    expect(error.code).toBe("mail_quota_exceeded");
    expect(error.headers["Retry-After"]).toBe(String(Math.ceil((HOUR_MS - 30) / 1000)));
    expect(error.detail).toContain("sent 3 confirmation mails in the last hour");
  });
});

describe("the verification object", () => {
  it("expires_at is exactly the send time plus the link's life; next_resend_at the later of interval and cap", () => {
    expect(pendingVerification(T0, at(0), 1, null, settings)).toEqual({
      last_sent_at: at(0),
      sends_last_24h: 1,
      next_resend_at: at(60_000),
      expires_at: at(7 * DAY_MS),
    });
    expect(pendingVerification(T0 + 120_000, at(0), 5, T0 + DAY_MS, settings).next_resend_at).toBe(at(DAY_MS));
    expect(pendingVerification(T0, null, 0, null, settings)).toEqual({
      last_sent_at: null,
      sends_last_24h: 0,
      next_resend_at: at(0),
      expires_at: null,
    });
  });
});
