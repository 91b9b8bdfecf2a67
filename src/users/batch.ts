// Batch outcomes (CreateUsers, DeleteUsers): each item succeeds or carries its own typed error, and
// the batch result reports both. One bad item never blocks the others.
import type { ApiError } from "../core/errors.js";

export interface ItemFailure {
  error: ApiError;
  /** The item's parameter the error is about (Email, Password, UserUids, ...). */
  field: string;
}

export type ItemOutcome = { uid: string } | ItemFailure;

export const isFailure = (o: ItemOutcome): o is ItemFailure => "error" in o;

/** The parameter an error code names: `InvalidParameter.Email` -> `Email`. */
export function fieldOf(error: ApiError, fallback: string): string {
  const dot = error.code.indexOf(".");
  return dot === -1 ? fallback : error.code.slice(dot + 1);
}

export interface BatchResult {
  SuccessCount: number;
  FailureCount: number;
  SuccessfulUids: string[];
  Errors: string[];
  ErrorsStructured: { Index: number; Code: string; Error: string; Field: string }[];
}

/** Indexes are 0-based positions in the request's list. */
export function batchResult(outcomes: ItemOutcome[]): BatchResult {
  const result: BatchResult = { SuccessCount: 0, FailureCount: 0, SuccessfulUids: [], Errors: [], ErrorsStructured: [] };
  outcomes.forEach((o, index) => {
    if (isFailure(o)) {
      result.FailureCount++;
      result.Errors.push(`item ${index} (${o.field}): ${o.error.code}: ${o.error.message}`);
      result.ErrorsStructured.push({ Index: index, Code: o.error.code, Error: o.error.message, Field: o.field });
    } else {
      result.SuccessCount++;
      result.SuccessfulUids.push(o.uid);
    }
  });
  return result;
}
