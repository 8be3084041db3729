import type { Db } from "./database.js";

// Values every process must share and nobody configures: made by the first process that asks,
// read by the others (a secret for HMACs, say), plus the health check's write probe.
declare module "./schema.js" {
  interface Database {
    app_secrets: AppSecretsTable;
  }
}

export interface AppSecretsTable {
  name: string;
  value: string;
}

/** The value named `name`; `fresh` becomes it when none exists yet (whichever process asks first wins). */
export async function sharedSecret(db: Db, name: string, fresh: string): Promise<string> {
  await db
    .insertInto("app_secrets")
    .values({ name, value: fresh })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  return (await db.selectFrom("app_secrets").select("value").where("name", "=", name).executeTakeFirstOrThrow()).value;
}
