import { describe, expect, it } from "vitest";
import { ConfigError, isQualifiedName, loadConfig } from "./config.js";

describe("configuration", () => {
  it("has embedded defaults for every setting", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      publicUrl: "http://127.0.0.1:8080",
      validateResponses: true,
      jsonBodyLimit: "100kb",
      bulkBodyLimit: "40mb",
      inboundMxHost: undefined,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it("derives PUBLIC_URL from HOST and PORT, and takes an explicit one without a trailing slash", () => {
    expect(loadConfig({ HOST: "0.0.0.0", PORT: "9000" }).publicUrl).toBe("http://0.0.0.0:9000");
    expect(loadConfig({ PUBLIC_URL: "https://verify.acme-logistics.com/" }).publicUrl).toBe(
      "https://verify.acme-logistics.com",
    );
    expect(loadConfig({ NODE_ENV: "production" }).validateResponses).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", VALIDATE_RESPONSES: "true" }).validateResponses).toBe(true);
  });

  it("gives the probe a valid identity: an address literal where PUBLIC_URL names only an IP", () => {
    expect(loadConfig({}).validation).toMatchObject({ heloName: "[127.0.0.1]", mailFrom: "verify@[127.0.0.1]" });
    expect(loadConfig({ PUBLIC_URL: "http://[::1]:8080" }).validation).toMatchObject({
      heloName: "[IPv6:::1]",
      mailFrom: "verify@[IPv6:::1]",
    });
    expect(loadConfig({ PUBLIC_URL: "https://verify.acme-logistics.com" }).validation).toMatchObject({
      heloName: "verify.acme-logistics.com",
      mailFrom: "verify@verify.acme-logistics.com",
    });
    expect(loadConfig({ VALIDATION_HELO_NAME: "192.0.2.7" }).validation.heloName).toBe("[192.0.2.7]");
    expect(isQualifiedName("[127.0.0.1]")).toBe(false);
    expect(isQualifiedName("localhost")).toBe(false);
    expect(isQualifiedName("mx-probe.acme-logistics.com")).toBe(true);
  });

  it("reads the operating settings: log level, metrics (on, off, behind a token), migrations at start", () => {
    expect(loadConfig({})).toMatchObject({
      logLevel: "info",
      metrics: { enabled: true, token: undefined, workerPort: undefined },
      migrateOnStart: true,
    });
    const set = loadConfig({
      LOG_LEVEL: "debug",
      METRICS: "off",
      METRICS_TOKEN: "s3cret-metrics-token",
      METRICS_PORT: "9464",
      MIGRATE_ON_START: "false",
    });
    expect(set).toMatchObject({
      logLevel: "debug",
      metrics: { enabled: false, token: "s3cret-metrics-token", workerPort: 9464 },
      migrateOnStart: false,
    });
    let message = "";
    try {
      loadConfig({ LOG_LEVEL: "loud", METRICS_TOKEN: "short" });
    } catch (error) {
      message = (error as ConfigError).message;
    }
    expect(message).toContain("LOG_LEVEL");
    expect(message).toContain('METRICS_TOKEN="***"');
    expect(message).not.toContain("short");
  });

  it("reads request budgets as count/window, or off; CORS origins as exact origins", () => {
    const config = loadConfig({
      RATE_LIMIT_READS: "600/1m",
      RATE_LIMIT_BULK: "5/2h",
      RATE_LIMIT_CHECKS: "off",
      CORS_ORIGINS: "https://app.acme.com, http://localhost:5173",
    });
    expect(config.rateLimits).toMatchObject({
      reads: { points: 600, windowSeconds: 60 },
      bulk: { points: 5, windowSeconds: 7200 },
      checks: null,
      writes: { points: 120, windowSeconds: 60 },
    });
    expect(config.corsOrigins).toEqual(["https://app.acme.com", "http://localhost:5173"]);
    expect(config.mailQuotaPerHour).toBe(100);
    for (const [name, value] of [
      ["RATE_LIMIT_READS", "100"],
      ["RATE_LIMIT_WRITES", "0/60s"],
      ["RATE_LIMIT_PUBLIC", "10/0s"],
      ["CORS_ORIGINS", "https://app.acme.com/path"],
      ["CORS_ORIGINS", "*"],
      ["MAIL_QUOTA_PER_HOUR", "0"],
    ]) {
      expect(() => loadConfig({ [name!]: value }), `${name}=${value}`).toThrow(ConfigError);
    }
  });

  it("keeps finished validations for ever unless VALIDATION_RETENTION says how long (days, hours...)", () => {
    expect(loadConfig({}).validationRetentionMs).toBe(0);
    expect(loadConfig({ VALIDATION_RETENTION: "30d" }).validationRetentionMs).toBe(30 * 86_400_000);
    expect(loadConfig({ VALIDATION_RETENTION: "12h" }).validationRetentionMs).toBe(12 * 3_600_000);
    expect(() => loadConfig({ VALIDATION_RETENTION: "a month" })).toThrow(/VALIDATION_RETENTION/);
  });

  it("reports every bad value at once", () => {
    const error = (() => {
      try {
        loadConfig({
          PORT: "eighty",
          PUBLIC_URL: "ftp://x",
          VALIDATE_RESPONSES: "maybe",
          INBOUND_MX_HOST: "not a host",
          JSON_BODY_LIMIT: "lots",
        });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split("=")[0])).toEqual([
      "PORT",
      "PUBLIC_URL",
      "INBOUND_MX_HOST",
      "VALIDATE_RESPONSES",
      "JSON_BODY_LIMIT",
    ]);
  });

  it("reads REDIS_URL (redis:// or rediss://) and never shows its password in a complaint", () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: "redis://cache:6379/2" }).redisUrl).toBe("redis://cache:6379/2");
    expect(loadConfig({ REDIS_URL: "rediss://:s3cret@cache.internal:6380" }).redisUrl).toBe(
      "rediss://:s3cret@cache.internal:6380",
    );
    expect(() => loadConfig({ REDIS_URL: "http://cache:6379" })).toThrow("REDIS_URL");
    expect(loadConfig({}).redisKeyPrefix).toBe("mailproof:");
    expect(loadConfig({ REDIS_KEY_PREFIX: "mailproof-staging:" }).redisKeyPrefix).toBe("mailproof-staging:");
    expect(() => loadConfig({ REDIS_KEY_PREFIX: "has space" })).toThrow("REDIS_KEY_PREFIX");
    expect(() => loadConfig({ REDIS_URL: "redis://app:hunter2@cache:port" })).toThrow(
      'REDIS_URL="redis://app:***@cache:port"',
    );
  });

  it("reads a SOCKS5 proxy for the probe, with or without credentials, and refuses anything else", () => {
    expect(loadConfig({}).validation.socksProxy).toBeUndefined();
    expect(loadConfig({ VALIDATION_SOCKS_PROXY: "socks5://10.0.0.5:1080" }).validation.socksProxy).toEqual({
      host: "10.0.0.5",
      port: 1080,
    });
    expect(
      loadConfig({ VALIDATION_SOCKS_PROXY: "socks5://probe:p%40ss@[2001:db8::1]:1080" }).validation.socksProxy,
    ).toEqual({ host: "2001:db8::1", port: 1080, username: "probe", password: "p@ss" });
    expect(() => loadConfig({ VALIDATION_SOCKS_PROXY: "socks5://probe:hunter2@proxy" })).toThrow(
      'VALIDATION_SOCKS_PROXY="socks5://probe:***@proxy"',
    );
    expect(() => loadConfig({ DATABASE_URL: "postgres://app:hunter2@db:port/x" })).toThrow(
      'DATABASE_URL="postgres://app:***@db:port/x"',
    );
    for (const bad of [
      "http://proxy:3128",
      "socks5://proxy",
      "socks5://proxy:1080/path",
      "proxy:1080",
      "socks4://proxy:1080",
    ]) {
      expect(() => loadConfig({ VALIDATION_SOCKS_PROXY: bad }), bad).toThrow(
        /VALIDATION_SOCKS_PROXY=.*socks5:\/\/\[user:password@\]host:port/,
      );
    }
  });
});
