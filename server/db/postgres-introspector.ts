import {
  type ColumnMetadata,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Kysely,
  PostgresDialect,
  PostgresIntrospector,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from "kysely";

/** Kysely's migrator keeps its bookkeeping in these; it asks for them with withInternalKyselyTables. */
const KYSELY_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

interface ColumnRow {
  table: string;
  schema: string;
  kind: string;
  column: string;
  type: string;
  type_schema: string;
  not_null: boolean;
  has_default: boolean;
  identity: boolean;
}

/**
 * The tables of the connection's own schema (its search_path), for Kysely's migrator, which asks
 * the introspector whether its two bookkeeping tables exist several times per start. Kysely's own
 * PostgreSQL introspector reads every column of every table of every schema in the database to
 * answer that, and calls pg_get_serial_sequence on each: a function that looks the column up by
 * name again, outside the statement's snapshot, so the read fails ("column ... of relation ...
 * does not exist") when another session changes a table's columns meanwhile (a dropped column
 * does it at once), anywhere in the database: another instance's migration in its own schema,
 * another application's, or a second process of ours migrating this one. Here only
 * the catalog is read, under the statement's snapshot, and only this schema: nothing a concurrent
 * change can make fail, and no cost that grows with what else the database holds.
 * (Upstream: kysely-org/kysely#1707 and #1419; Kysely 0.29 still reads every schema.)
 */
export class CurrentSchemaIntrospector implements DatabaseIntrospector {
  private readonly kyselys: PostgresIntrospector;

  constructor(private readonly db: Kysely<unknown>) {
    this.kyselys = new PostgresIntrospector(db);
  }

  /** The names of the schemas (one read of pg_namespace: nothing in it can fail meanwhile). */
  getSchemas(): Promise<SchemaMetadata[]> {
    return this.kyselys.getSchemas();
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<ColumnRow>`
      select c.relname as "table", ns.nspname as "schema", c.relkind as "kind", a.attname as "column",
        typ.typname as "type", tns.nspname as "type_schema", a.attnotnull as "not_null",
        a.atthasdef as "has_default", a.attidentity <> '' as "identity"
      from pg_catalog.pg_class c
        join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
        join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        join pg_catalog.pg_type typ on typ.oid = a.atttypid
        join pg_catalog.pg_namespace tns on tns.oid = typ.typnamespace
      where ns.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
      order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, { name: string; schema: string; isView: boolean; columns: ColumnMetadata[] }>();
    for (const row of rows) {
      if (!options.withInternalKyselyTables && KYSELY_TABLES.has(row.table)) continue;
      let table = tables.get(row.table);
      if (!table) {
        table = { name: row.table, schema: row.schema, isView: row.kind === "v", columns: [] };
        tables.set(row.table, table);
      }
      table.columns.push({
        name: row.column,
        dataType: row.type,
        dataTypeSchema: row.type_schema,
        isNullable: !row.not_null,
        hasDefaultValue: row.has_default,
        // Identity columns; no table of ours has a serial (a default that is a sequence's nextval).
        isAutoIncrementing: row.identity,
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

/** PostgreSQL as Kysely speaks it, with the introspector above. */
export class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}
