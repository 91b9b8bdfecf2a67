// Postgres errors translated in one place. Constraints are named table__column, so a unique
// violation can be told apart by name; connection failures become ServiceUnavailable.
import { ApiError, errors } from "../../core/errors.js";

interface PgLikeError {
  code?: string;
  /** postgres.js */
  constraint_name?: string;
  /** PGlite */
  constraint?: string;
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "DATABASE_DOWN",
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

export function constraintOf(err: unknown): string | undefined {
  const e = err as PgLikeError;
  return e?.constraint_name ?? e?.constraint;
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as PgLikeError;
  return e?.code === "23505" && (constraint === undefined || constraintOf(err) === constraint);
}

/** The database (or the connection to it) is away, as opposed to a statement failing. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as PgLikeError)?.code;
  return code !== undefined && CONNECTION_CODES.has(code);
}

/** Maps a database error to the API error it means, or undefined when it is a plain bug. */
export function translateDbError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const code = (err as PgLikeError)?.code;
  if (code === undefined) return undefined;
  if (CONNECTION_CODES.has(code)) return errors.unavailable("the database is unreachable, retry later");
  // A violation no service attributed to a field: the constraint's name is schema detail, not for clients.
  if (code === "23505") return new ApiError("Duplicated", "the resource already exists");
  if (code === "23503") return new ApiError("NotFound", "a resource the request refers to does not exist");
  // query_canceled: the statement ran into ID_STATEMENT_TIMEOUT_MS (or was cancelled for it behind
  // PgBouncer). Its connection is free again; the request, not the database, was too costly.
  if (code === "57014")
    return errors.unavailable(
      "the request's database work exceeded the statement time limit (ID_STATEMENT_TIMEOUT_MS); narrow it (a filter, a smaller page or batch) or retry later",
    );
  if (code === "40001" || code === "40P01") return errors.unavailable("the request conflicted with a concurrent one, retry it");
  // A write reached a server that takes none (a standby, or a primary set read-only during a failover).
  if (code === "25006") return errors.unavailable("the database is read-only at the moment, retry later");
  return undefined;
}

/** Runs a write; a unique violation of `constraint` becomes the given error. */
export async function onUniqueViolation<T>(work: Promise<T>, constraint: string, error: () => ApiError): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isUniqueViolation(err, constraint)) throw error();
    throw err;
  }
}
