// Queries compiled once and bound per call. Kysely builds an operation tree and compiles it to SQL
// on every call; on the hot reads (GetUserPool, GetUser, ListUsers' parent check) that is the same
// text every time, only the parameters differ. A prepared query runs its builder once, with a marker
// in the place of each argument, finds the markers among the compiled parameters, and from then on
// sends the same SQL text with the caller's values put where the markers were. The dialect sends
// the text as a named prepared statement (postgres-dialect.ts), so Postgres does not parse it again
// either. Only for arguments the builder passes straight to Kysely as one value each (a `where`
// operand): an argument the builder computes with, or spreads into a list, cannot be a marker.
import type { CompiledQuery, Compilable, Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** Markers no caller's value can equal: a fresh object per argument, found by identity. */
class Marker {
  constructor(readonly index: number) {}
}

export interface PreparedQuery<A extends unknown[], R> {
  /** Every row the statement answers. */
  all(db: Db, ...args: A): Promise<R[]>;
  /** The first row, or undefined. */
  first(db: Db, ...args: A): Promise<R | undefined>;
  /** The SQL text and where each argument goes (for tests). */
  template(db: Db): { sql: string; slots: number[] };
}

export function prepared<A extends unknown[], R>(build: (db: Db, ...args: A) => Compilable<R>): PreparedQuery<A, R> {
  let compiled: { query: CompiledQuery<R>; slots: number[] } | undefined;
  const compile = (db: Db) => {
    if (compiled) return compiled;
    const markers = Array.from({ length: build.length - 1 }, (_, i) => new Marker(i));
    const query = build(db, ...(markers as unknown as A)).compile();
    // slots[i]: the argument that goes into compiled parameter i, or -1 for a constant of the query.
    const slots = query.parameters.map((p) => (p instanceof Marker ? p.index : -1));
    for (const m of markers)
      if (!slots.includes(m.index)) throw new Error(`prepared query: argument ${m.index} is not a parameter of ${query.sql}`);
    compiled = { query, slots };
    return compiled;
  };
  const run = async (db: Db, args: A): Promise<R[]> => {
    const { query, slots } = compile(db);
    const parameters = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) parameters[i] = slots[i] === -1 ? query.parameters[i] : args[slots[i]!];
    // The compiled query with other parameters: same text, same tree (only plugins read it; there are none).
    const result = await db.executeQuery<R>({ sql: query.sql, query: query.query, queryId: query.queryId, parameters });
    return result.rows;
  };
  return {
    all: (db, ...args) => run(db, args),
    first: async (db, ...args) => (await run(db, args))[0],
    template(db) {
      const { query, slots } = compile(db);
      return { sql: query.sql, slots };
    },
  };
}
