import { Socket } from "node:net";
import { SocksClient } from "socks";
import type { SocksProxy } from "../config.js";

export interface Reply {
  code: number;
  /** The reply text, lines joined with a space (at most 512 characters kept). */
  message: string;
}

export class SmtpTimeout extends Error {}
export class SmtpUnavailable extends Error {}

/**
 * A minimal SMTP client session for probing: one command, one (possibly multi-line) reply.
 * It never sends DATA. Every wait is bounded; a timeout or a dropped connection is an error.
 */
export class SmtpSession {
  private buffer = "";
  private readonly lines: string[] = [];
  private waiter: (() => void) | null = null;
  private closed: Error | null = null;
  /** Hears the code of every complete reply (metrics). */
  onReply: ((code: number) => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly commandTimeoutMs: number,
  ) {
    // Replies are ASCII, or UTF-8 from servers that offer SMTPUTF8 (RFC 6531 §3.7.4); the decoder
    // keeps a character split across two reads whole, and never throws on stray bytes.
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let at = this.buffer.indexOf("\n"); at >= 0; at = this.buffer.indexOf("\n")) {
        this.lines.push(this.buffer.slice(0, at).replace(/\r$/, ""));
        this.buffer = this.buffer.slice(at + 1);
      }
      this.waiter?.();
    });
    const end = (error: Error) => {
      this.closed ??= error;
      this.waiter?.();
    };
    socket.on("error", (e) => end(new SmtpUnavailable(e.message)));
    socket.on("close", () => end(new SmtpUnavailable("connection closed")));
  }

  static async connect(
    host: string,
    port: number,
    connectTimeoutMs: number,
    commandTimeoutMs: number,
    proxy?: SocksProxy,
  ): Promise<SmtpSession> {
    const socket = proxy
      ? await viaProxy(proxy, host, port, connectTimeoutMs)
      : await direct(host, port, connectTimeoutMs);
    return new SmtpSession(socket, commandTimeoutMs);
  }

  /** The server's next reply (the greeting, or the answer to a command just sent). */
  async reply(collected: string[] = []): Promise<Reply> {
    const deadline = Date.now() + this.commandTimeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        collected.push(line);
        // "250-..." continues, "250 ..." ends a reply (RFC 5321 §4.2.1).
        if (!/^\d{3}-/.test(line)) {
          const code = Number(line.slice(0, 3));
          if (!Number.isInteger(code) || code < 200)
            throw new SmtpUnavailable(`unparseable reply: ${line.slice(0, 80)}`);
          this.onReply?.(code);
          return {
            code,
            message: collected
              .map((l) => l.slice(4))
              .join(" ")
              .slice(0, 512),
          };
        }
        continue;
      }
      if (this.closed) throw this.closed;
      const left = deadline - Date.now();
      if (left <= 0) throw new SmtpTimeout("the server did not answer in time");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  async command(line: string): Promise<Reply> {
    this.write([line]);
    return this.reply();
  }

  /**
   * EHLO, or HELO for a server that does not know EHLO, and the service extensions the server
   * offers (the keyword of every line after the first, RFC 5321 §4.1.1.1).
   */
  async hello(name: string): Promise<{ reply: Reply; extensions: Set<string> }> {
    this.write([`EHLO ${name}`]);
    const lines: string[] = [];
    const reply = await this.reply(lines);
    if (reply.code >= 500) return { reply: await this.command(`HELO ${name}`), extensions: new Set() };
    return { reply, extensions: new Set(lines.slice(1).map((l) => l.slice(4).split(" ")[0]!.toUpperCase())) };
  }

  /**
   * Sends commands in one write: one at a time, or a group for servers that offer RFC 2920
   * PIPELINING (one round trip instead of one per command). Read their replies in order with `reply()`.
   */
  write(lines: string[]): void {
    if (this.closed) throw this.closed;
    this.socket.write(lines.map((l) => `${l}\r\n`).join(""));
  }

  /** Ends the conversation now (its time is up): the command waiting for a reply fails with `reason`. */
  abort(reason: Error): void {
    this.closed ??= reason;
    this.waiter?.();
    this.socket.destroy();
  }

  /** Says goodbye and closes politely (a reset would make the server log an error), with a bound. */
  async quit(): Promise<void> {
    if (this.closed) {
      this.socket.destroy();
      return;
    }
    this.socket.end("QUIT\r\n");
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}

function direct(host: string, port: number, connectTimeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpTimeout(`connect to ${host}:${port} timed out`));
    }, connectTimeoutMs);
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(new SmtpUnavailable(e.message));
    });
    socket.connect(port, host, () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
  });
}

/** A connection through a SOCKS5 proxy (RFC 1928, username/password per RFC 1929). */
async function viaProxy(proxy: SocksProxy, host: string, port: number, connectTimeoutMs: number): Promise<Socket> {
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: proxy.host, port: proxy.port, type: 5, userId: proxy.username, password: proxy.password },
      command: "connect",
      destination: { host, port },
      timeout: connectTimeoutMs,
    });
    return socket;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw /timed? ?out/i.test(message)
      ? new SmtpTimeout(`connect to ${host}:${port} through the proxy timed out`)
      : new SmtpUnavailable(`through the proxy: ${message}`);
  }
}
