// npm run mock [-- --port N] (or MOCK_PORT=N): the Prism mock of the bundled contract, behind a
// thin front that makes its headers say what the server's would. Prism sends every documented
// header on every answer with its one example value; the server's depend on the answer:
//   - Retry-After on GET /v1/email-validations/{id} only while the job is queued or processing;
//   - RateLimit-Policy and RateLimit name the budget of the operation's class (reads for GET and
//     HEAD, checks and bulk for their POSTs, writes for the rest), with its default size.
// Other arguments go to `prism mock` as they are (e.g. --dynamic).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createNetServer } from "node:net";

const BUDGETS = { reads: [1200, 60], writes: [120, 60], checks: [30, 60], bulk: [20, 3600] }; // config.ts defaults
const TERMINAL = new Set(["completed", "canceled", "error"]);

function parseArgs(argv) {
  let port = Number(process.env.MOCK_PORT ?? 4010);
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--port" || arg === "-p") port = Number(argv[++i]);
    else if (arg.startsWith("--port=")) port = Number(arg.slice(7));
    else rest.push(arg);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port needs a port number");
  return { port, rest };
}

/** The budget class the server would count this request against. */
export function budgetClass(method, path) {
  if (method === "GET" || method === "HEAD") return "reads";
  if (method === "POST" && path === "/v1/email-checks") return "checks";
  if (method === "POST" && path === "/v1/email-validations") return "bulk";
  return "writes";
}

/** The answer's headers as the server would send them (see the top of this file). */
export function serverHeaders(method, path, status, headers, body) {
  const out = { ...headers };
  if ("ratelimit" in out || "ratelimit-policy" in out) {
    const name = budgetClass(method, path);
    const [quota, window] = BUDGETS[name];
    out["ratelimit-policy"] = `"${name}";q=${quota};w=${window}`;
    out.ratelimit =
      status === 429 ? `"${name}";r=0;t=${out["retry-after"] ?? window}` : `"${name}";r=${quota - 1};t=${window}`;
  }
  if (/^\/v1\/email-validations\/[^/]+$/.test(path) && method !== "PATCH" && status === 200) {
    try {
      if (TERMINAL.has(JSON.parse(body).status)) delete out["retry-after"];
    } catch {
      // not JSON: leave it
    }
  }
  return out;
}

async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function main() {
  const { port, rest } = parseArgs(process.argv.slice(2));
  const inner = await freePort();
  const prism = spawn(
    "node_modules/.bin/prism",
    ["mock", "generated/openapi.yaml", "--host", "127.0.0.1", "--port", String(inner), ...rest],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const stop = () => {
    prism.kill("SIGTERM");
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  prism.once("exit", (code) => process.exit(code ?? 1));

  const front = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const path = (req.url ?? "/").split("?")[0];
    try {
      const answer = await fetch(`http://127.0.0.1:${inner}${req.url}`, {
        method: req.method,
        headers: Object.entries(req.headers).filter(([name]) => name !== "host" && name !== "connection"),
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        redirect: "manual",
      });
      const body = Buffer.from(await answer.arrayBuffer());
      const headers = Object.fromEntries(
        [...answer.headers].filter(
          ([name]) => !["content-length", "connection", "keep-alive", "transfer-encoding"].includes(name),
        ),
      );
      res.writeHead(answer.status, serverHeaders(req.method, path, answer.status, headers, body.toString("utf8")));
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (error) {
      res.writeHead(502, { "content-type": "text/plain" }).end(`the mock is not up yet: ${error.message}\n`);
    }
  });
  await new Promise((resolve) => front.listen(port, "127.0.0.1", resolve));
  process.stdout.write(
    `mock: http://127.0.0.1:${front.address().port} (Prism on ${inner}, headers as the server sends them)\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`)
  main().catch((error) => {
    process.stderr.write(`mock: ${error.message}\n`);
    process.exit(1);
  });
