import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP relay in front of a mail server that watches each conversation: the commands as they
 * went over the wire, and how many the client had sent that the server had not answered yet, at
 * most. One at a time (1) is plain SMTP; a whole transaction at once is PIPELINING (RFC 2920).
 */
export async function smtpTap(listen: { host: string; port: number }, target: { host: string; port: number }) {
  const conversations: { maxOutstanding: number; commands: string[] }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const seen = { maxOutstanding: 0, commands: [] as string[] };
    conversations.push(seen);
    let sent = 0;
    let answered = 0;
    let fromServer = "";
    let fromClient = "";
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.on("data", (chunk: Buffer) => {
      const lines = (fromClient + chunk.toString("utf8")).split("\r\n");
      fromClient = lines.pop()!;
      seen.commands.push(...lines);
      sent += lines.length;
      seen.maxOutstanding = Math.max(seen.maxOutstanding, sent - answered);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      fromServer += chunk.toString("latin1");
      const lines = fromServer.split("\r\n");
      fromServer = lines.pop()!;
      // A reply ends with "ddd " (RFC 5321 §4.2.1); the greeting answers no command.
      for (const line of lines) if (/^\d{3}( |$)/.test(line)) answered++;
      client.write(chunk);
    });
    answered = -1; // the greeting
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(listen.port, listen.host, resolve));
  return {
    conversations,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
