// The layers of the server, enforced by `npm run lint` (see ARCHITECTURE.md):
//   infrastructure (db, http, mail, shared, meta, config) knows no family and no engine;
//   the engine knows no family; a family reaches another only through its service (or, for
//   confirmable families, the confirmations service); nothing but the entry points reaches the
//   composition root; the client package never reaches into the server; no cycles anywhere.
const FAMILIES = `(${[
  "accounts",
  "confirmations",
  "destinations",
  "sender-identities",
  "mailbox-domains",
  "email-validations",
  "email-checks",
  "webhook-endpoints",
].join("|")})`;
const INFRA = "^server/(db|http|mail|shared|meta)/|^server/(config|generated-files)[.]ts$";
const COMPOSITION = "^server/(compose|app|main|worker-main|process)[.]ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes load order and layering undecidable.",
      from: {},
      to: { circular: true },
    },
    {
      name: "infrastructure-knows-no-family",
      severity: "error",
      comment: "db, http, mail, shared, meta and config serve every family and name none.",
      from: { path: INFRA },
      to: { path: [`^server/${FAMILIES}/`, "^server/engine/", COMPOSITION, "^server/cli/"] },
    },
    {
      name: "engine-knows-no-family",
      severity: "error",
      comment: "The validation engine is used by email-validations and email-checks; it knows neither.",
      from: { path: "^server/engine/" },
      to: { path: [`^server/${FAMILIES}/`, COMPOSITION] },
    },
    {
      name: "families-meet-through-services",
      severity: "error",
      comment: "Another family is reached through its service.ts, never its repository, tables or routes.",
      from: { path: `^server/${FAMILIES}/` },
      to: { path: `^server/${FAMILIES}/`, pathNot: ["^server/$1/", `^server/${FAMILIES}/service[.]ts$`] },
    },
    {
      name: "only-entry-points-compose",
      severity: "error",
      comment: "Services are built in server/compose.ts; families and infrastructure never import it.",
      from: { path: ["^server/"], pathNot: [COMPOSITION, "^server/cli/"] },
      to: { path: COMPOSITION },
    },
    {
      name: "client-stands-alone",
      severity: "error",
      comment: "The client package ships alone: its own sources (with its copy of the contract's types) only.",
      from: { path: "^client/" },
      to: { path: ["^server/", "^test/", "^bench/", "^generated/"] },
    },
    {
      name: "server-uses-client-list-layout-only",
      severity: "error",
      comment: "The server reads a CSV upload by the rules the CLI reads a list by; nothing else of the client.",
      from: { path: "^server/" },
      to: { path: "^client/", pathNot: "^client/src/cli/list-layout[.]ts$" },
    },
    { name: "server-not-test", severity: "error", from: { path: "^server/" }, to: { path: ["^test/", "^bench/"] } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^generated/", "^dist/", "^client/dist/", "[.]test[.]ts$"] },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
