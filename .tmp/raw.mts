import SQLite from "better-sqlite3";
import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
const emails = Array.from({ length: 100000 }, (_, i) => `${i % 10 < 6 ? "ok" : "no"}-${Math.floor(i / 1000)}@d${i % 1000}.bench.test`);
const byDomain = [...emails].sort((a, b) => { const da = a.split("@")[1]!, db = b.split("@")[1]!; return da < db ? -1 : da > db ? 1 : a < b ? -1 : 1; });
const items = byDomain.map((email, i) => ({ email, chunk: Math.floor(i / 100) }));
function fresh(withoutRowid = false) {
  const db = new SQLite(join(mkdtempSync(join(tmpdir(), "raw-")), "x.db"));
  db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL");
  db.exec(`create table items (validation_id text not null, email text not null, chunk integer not null, result text, primary key (validation_id, email))${withoutRowid ? " without rowid" : ""}; create index items_chunk on items (validation_id, chunk);`);
  return db;
}
const id = "5b7e2c4d-1a3f-4e6b-8c9d-0f1e2a3b4c5d";
for (const [name, order] of [["domain order", items], ["email order", [...items].sort((a, b) => (a.email < b.email ? -1 : 1))]] as const) {
  for (const wr of [false, true]) {
    const db = fresh(wr);
    const st = db.prepare("insert into items values (?, ?, ?, null)");
    let t = performance.now();
    db.transaction(() => { for (const it of order) st.run(id, it.email, it.chunk); })();
    console.log(name, wr ? "without rowid" : "rowid", "prepared loop", (performance.now() - t).toFixed(0), "ms");
    const db2 = fresh(wr);
    t = performance.now();
    db2.transaction(() => { for (let i = 0; i < order.length; i += 4000) { const part = order.slice(i, i + 4000); db2.prepare(`insert into items values ${part.map(() => "(?, ?, ?, null)").join(",")}`).run(...part.flatMap((it) => [id, it.email, it.chunk])); } })();
    console.log(name, wr ? "without rowid" : "rowid", "multi-row", (performance.now() - t).toFixed(0), "ms");
    const db3 = fresh(wr);
    t = performance.now();
    db3.prepare("insert into items select ?, value ->> 0, value ->> 1, null from json_each(?)").run(id, JSON.stringify(order.map((it) => [it.email, it.chunk])));
    console.log(name, wr ? "without rowid" : "rowid", "json_each", (performance.now() - t).toFixed(0), "ms");
  }
}
