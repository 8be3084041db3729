import { describe, expect, it } from "vitest";
import { isDisposable, isFreeProvider, isRoleAccount, suggestDomain } from "./lists.js";

describe("lists", () => {
  it.each(["mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com", "sub.mailinator.com"])(
    "%s is disposable",
    (d) => expect(isDisposable(d)).toBe(true),
  );
  it.each(["gmail.com", "acme-logistics.com", "outlook.com"])("%s is not disposable", (d) =>
    expect(isDisposable(d)).toBe(false),
  );
  it.each(["admin", "Info", "postmaster", "no-reply", "support+tickets", "abuse"])("%s is a role account", (l) =>
    expect(isRoleAccount(l)).toBe(true),
  );
  it.each(["ana.silva", "marta", "administrators-team"])("%s is a person", (l) => expect(isRoleAccount(l)).toBe(false));
  it.each(["gmail.com", "yahoo.com", "web.de", "mail.com"])("%s is a free provider", (d) =>
    expect(isFreeProvider(d)).toBe(true),
  );
  it.each(["acme-logistics.com", "university.edu"])("%s is not a free provider", (d) =>
    expect(isFreeProvider(d)).toBe(false),
  );
});

describe("suggestDomain", () => {
  it.each([
    ["gmial.com", "gmail.com"],
    ["gmail.con", "gmail.com"],
    ["gmai.com", "gmail.com"],
    ["hotmal.con", "hotmail.com"],
    ["hotmial.com", "hotmail.com"],
    ["yaho.com", "yahoo.com"],
    ["outlok.com", "outlook.com"],
    ["iclod.com", "icloud.com"],
  ])("%s → %s", (typo, fix) => expect(suggestDomain(typo)).toBe(fix));

  it.each([
    "gmail.com",
    "mail.com",
    "gmx.de",
    "acme-logistics.com",
    "example.org",
    "stanford.edu",
    "gmx.es",
    "msn.org",
    "me.org",
    "web.com",
  ])("never suggests for %s (a provider itself, or not a near-miss of one)", (d) =>
    expect(suggestDomain(d)).toBeNull(),
  );
});
