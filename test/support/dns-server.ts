import { mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dns2 from "dns2";
import { freePort } from "./free-port.js";

const { Packet } = dns2;

/** What the test DNS server answers for one name. */
export interface Zone {
  /** TXT records, each a list of strings (a long value split as DNS splits it). */
  TXT?: string[][];
  MX?: { priority: number; exchange: string }[];
  A?: string[];
  AAAA?: string[];
  /** Answer with this error instead (no file at all means NXDOMAIN). */
  rcode?: "SERVFAIL" | "NXDOMAIN";
  /** Answer this late (a slow resolver). */
  delayMs?: number;
}

/**
 * A real DNS server on loopback (dns2, UDP) answering from zone files in a directory, one JSON
 * file per lower-cased name, so tests in other processes can publish records while it runs.
 */
export async function startDnsServer(zoneDir = mkdtempSync(join(tmpdir(), "mailproof-zones-"))) {
  let closed = false;
  /** The names asked about, in order (lower-cased). */
  const queries: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const [question] = request.questions;
      const response = Packet.createResponseFromRequest(request);
      const name = (question?.name ?? "").toLowerCase().replace(/\.$/, "");
      queries.push(name);
      const zone = readZone(zoneDir, name);
      const answer = () => {
        if (!zone || zone.rcode === "NXDOMAIN") response.header.rcode = Packet.RCODE.NXDOMAIN;
        else if (zone.rcode === "SERVFAIL") response.header.rcode = Packet.RCODE.SERVFAIL;
        else if (question?.type === Packet.TYPE.TXT)
          for (const data of zone.TXT ?? [])
            response.answers.push({
              name: question.name,
              type: Packet.TYPE.TXT,
              class: Packet.CLASS.IN,
              ttl: 60,
              data,
            } as never);
        else if (question?.type === Packet.TYPE.A)
          for (const address of zone.A ?? [])
            response.answers.push({
              name: question.name,
              type: Packet.TYPE.A,
              class: Packet.CLASS.IN,
              ttl: 60,
              address,
            } as never);
        else if (question?.type === Packet.TYPE.AAAA)
          for (const address of zone.AAAA ?? [])
            response.answers.push({
              name: question.name,
              type: Packet.TYPE.AAAA,
              class: Packet.CLASS.IN,
              ttl: 60,
              address,
            } as never);
        else if (question?.type === Packet.TYPE.MX)
          for (const mx of zone.MX ?? [])
            response.answers.push({
              name: question.name,
              type: Packet.TYPE.MX,
              class: Packet.CLASS.IN,
              ttl: 60,
              ...mx,
            } as never);
        // A delayed answer may come due after the server was closed: there is no one to tell.
        if (!closed) Promise.resolve(send(response)).catch(() => undefined);
      };
      if (zone?.delayMs) setTimeout(answer, zone.delayMs);
      else answer();
    },
  });
  const port = await freePort();
  await server.listen({ udp: { port, address: "127.0.0.1" } });
  return {
    server: `127.0.0.1:${port}`,
    zoneDir,
    queries,
    publish: (name: string, zone: Zone) => publish(zoneDir, name, zone),
    close: () => {
      closed = true;
      return server.close();
    },
  };
}

/** Publishes (replaces) the records of one name; atomic, so the server never reads half a file. */
export function publish(zoneDir: string, name: string, zone: Zone): void {
  const file = join(zoneDir, `${name.toLowerCase()}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(zone));
  renameSync(`${file}.tmp`, file);
}

function readZone(zoneDir: string, name: string): Zone | null {
  try {
    return JSON.parse(readFileSync(join(zoneDir, `${name}.json`), "utf8")) as Zone;
  } catch {
    return null;
  }
}
