import type { Config } from "../config.js";
import type { EngineSettings } from "./engine.js";

/** The engine's settings from the configuration. */
export function engineSettings(config: Config, overrides: { greylistRetryMs?: number } = {}): EngineSettings {
  const v = config.validation;
  return {
    dns: { servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs },
    probe: {
      port: v.smtpPort,
      heloName: v.heloName,
      mailFrom: v.mailFrom,
      connectTimeoutMs: v.connectTimeoutMs,
      commandTimeoutMs: v.commandTimeoutMs,
      greylistRetryMs: overrides.greylistRetryMs ?? v.greylistRetryMs,
      refusalsPerConnection: v.refusalsPerConnection,
      rateLimitBackoffMs: v.rateLimitBackoffMs,
      domainTimeoutMs: v.domainTimeoutMs,
      ...(v.socksProxy && { proxy: v.socksProxy }),
    },
    probeEnabled: v.probeEnabled,
    allowPrivateNetworks: v.allowPrivateNetworks,
    perHostConcurrency: v.perHostConcurrency,
    concurrency: v.concurrency,
  };
}
