// Column types every family's tables use. Apart from schema.ts so a family's tables.ts can import
// them without importing the Database type that is composed from those very tables.
import type { ColumnType, Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

/** Postgres timestamptz: read as Date, written as Date or left to its default. */
export type Timestamp = ColumnType<Date, Date | undefined, Date>;
/** bigint ids travel as decimal strings on both drivers (see connect.ts), so no precision is lost. */
export type BigintString = ColumnType<string, string | number, string | number>;

/** What a query function takes first: the database, or the transaction it runs in. */
export type Db = Kysely<Database> | Transaction<Database>;
