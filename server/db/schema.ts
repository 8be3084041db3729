// The tables as Kysely sees them. Columns are portable between SQLite and PostgreSQL on purpose:
// times are ISO-8601 UTC text (sortable, exactly what the API shows), booleans are 0/1 integers.
// Each family declares its own tables into this interface from its tables.ts (TypeScript module
// augmentation), so the database layer names no family and a family's tables live with its SQL.
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation in each family's tables.ts
export interface Database {}
