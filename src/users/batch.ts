// Batch outcomes (CreateUsers, UpdateUsers, DeleteUsers): each item succeeds or carries its own typed
// error, and the batch result reports both in upstream's shape. One bad item never blocks the others.
import type { ApiError } from "../core/errors.js";

export interface ItemFailure {
  error: ApiError;
  /** The item's parameter the error is about (Email, Password, UserUids, ...). */
  field: string;
  /** On Duplicated: the user that already holds the identifier ("" when it is an earlier item of the batch). */
  duplicatedUserUid?: string | undefined;
}

export type ItemOutcome = { uid: string } | ItemFailure;

export const isFailure = (o: ItemOutcome): o is ItemFailure => "error" in o;

/** The parameter an error code names: `InvalidParameter.Email` -> `Email`. */
export function fieldOf(error: ApiError, fallback: string): string {
  const dot = error.code.indexOf(".");
  return dot === -1 ? fallback : error.code.slice(dot + 1);
}

/** An item's failure, naming the parameter its error is about (or `fallback`). */
export const failure = (error: ApiError, fallback: string): ItemFailure => ({ error, field: fieldOf(error, fallback) });

/** The catalog family of a code (`InvalidParameter.Email` -> `InvalidParameter`): upstream's ErrorType. */
const errorTypeOf = (error: ApiError) => error.code.split(".", 1)[0]!;

const errorLine = (index: number, o: ItemFailure) => `item ${index} (${o.field}): ${o.error.code}: ${o.error.message}`;

/** DeleteUsers: upstream's {Error, Field, Index} items, plus idplane's Code. Indexes are 0-based. */
export function deleteResult(outcomes: ItemOutcome[]) {
  const failures = outcomes.flatMap((o, Index) => (isFailure(o) ? [{ o, Index }] : []));
  return {
    SuccessCount: outcomes.length - failures.length,
    FailureCount: failures.length,
    SuccessfulUids: outcomes.flatMap((o) => (isFailure(o) ? [] : [o.uid])),
    Errors: failures.map(({ o, Index }) => errorLine(Index, o)),
    ErrorsStructured: failures.map(({ o, Index }) => ({ Index, Code: o.error.code, Error: o.error.message, Field: o.field })),
  };
}

/** UpdateUsers: DeleteUsers' result plus SuccessfulUidsStructured [{Index, Uid}] and ErrorType / DuplicatedUserUid per error. */
export function batchResult(outcomes: ItemOutcome[]) {
  return {
    ...deleteResult(outcomes),
    SuccessfulUidsStructured: outcomes.flatMap((o, Index) => (isFailure(o) ? [] : [{ Index, Uid: o.uid }])),
    ErrorsStructured: outcomes.flatMap((o, Index) =>
      isFailure(o)
        ? [
            {
              Index,
              Code: o.error.code,
              ErrorType: errorTypeOf(o.error),
              Error: o.error.message,
              Field: o.field,
              DuplicatedUserUid: o.duplicatedUserUid ?? "",
            },
          ]
        : [],
    ),
  };
}

/** CreateUsers: as UpdateUsers, each item also naming its ExternalProviderUserIdentifier ("" without one). */
export function createBatchResult(outcomes: ItemOutcome[], identifiers: string[]) {
  const r = batchResult(outcomes);
  const linked = <T extends { Index: number }>(x: T) => ({ ...x, ExternalProviderUserIdentifier: identifiers[x.Index] ?? "" });
  return { ...r, SuccessfulUidsStructured: r.SuccessfulUidsStructured.map(linked), ErrorsStructured: r.ErrorsStructured.map(linked) };
}
