import { Socket } from "node:net";

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

  private constructor(private readonly socket: Socket, private readonly commandTimeoutMs: number) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let at: number;
      while ((at = this.buffer.indexOf("\n")) >= 0) {
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

  static connect(host: string, port: number, connectTimeoutMs: number, commandTimeoutMs: number): Promise<SmtpSession> {
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
        resolve(new SmtpSession(socket, commandTimeoutMs));
      });
    });
  }

  /** The server's next reply (the greeting, or the answer to a command just sent). */
  async reply(): Promise<Reply> {
    const collected: string[] = [];
    const deadline = Date.now() + this.commandTimeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        collected.push(line);
        // "250-..." continues, "250 ..." ends a reply (RFC 5321 §4.2.1).
        if (!/^\d{3}-/.test(line)) {
          const code = Number(line.slice(0, 3));
          if (!Number.isInteger(code) || code < 200) throw new SmtpUnavailable(`unparseable reply: ${line.slice(0, 80)}`);
          return { code, message: collected.map((l) => l.slice(4)).join(" ").slice(0, 512) };
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
    if (this.closed) throw this.closed;
    this.socket.write(`${line}\r\n`);
    return this.reply();
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
