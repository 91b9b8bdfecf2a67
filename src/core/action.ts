// One definition per action: its name, who may call it, its input and output schemas, and its
// handler. The registry (index.ts) collects them; the gateway, openapi.yaml and the tests all read
// the same definitions, so a schema is never written twice.
import type { z } from "zod";
import type { Principal } from "../access-keys/resolver.js";
import type { AppDeps } from "../deps.js";
import type { Logger } from "../platform/log.js";
import type { ApiError, ErrorFamily } from "./errors.js";

export interface ActionContext {
  deps: AppDeps;
  principal: Principal;
  /** Shorthand for principal.accountId: every query is scoped by it. */
  accountId: string;
  requestId: string;
  log: Logger;
  /**
   * Validates a value the way the gateway validates parameters (names matched case-insensitively,
   * zod issues as MissingParameter/InvalidParameter). For parts a handler checks one by one, such as
   * CreateUsers' items; handed in by the gateway so no family imports it.
   */
  validate<S extends z.ZodType>(schema: S, raw: unknown): { ok: true; data: z.output<S> } | { ok: false; error: ApiError };
}

export interface ActionDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  /** "read" actions are open to readonly keys; "write" actions need an admin key. */
  access: "read" | "write";
  summary: string;
  /**
   * Set on an action that names no resource, only the caller's account (CreateUserPool,
   * ListUserPools): the shared security suite has no other account's resource to point it at.
   * Every other action must come with a cross-account case in its family's test support.
   */
  accountWide?: true;
  /**
   * The catalog codes the action itself answers (NotFound, Duplicated, QuotaExceeded...), beyond the
   * ones the gateway may answer for any action (signature, throttling, parameters; src/control-plane/openapi.ts
   * adds those). openapi.yaml lists both per operation, so generated clients see them.
   */
  errors: readonly ErrorFamily[];
  input: I;
  output: O;
  handler(input: z.output<I>, ctx: ActionContext): Promise<z.input<O>>;
}

export function defineAction<I extends z.ZodType, O extends z.ZodType>(def: ActionDefinition<I, O>): ActionDefinition<I, O> {
  return def;
}

/** Type-erased form for the registry. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds actions of every input and output type
export type AnyAction = ActionDefinition<any, any>;
