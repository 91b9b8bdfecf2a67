// The custom-domain actions of a user pool (upstream's CreateUserPoolDomain family) and
// ListUserPoolWellKnownEndpoints, whose addresses follow a pool's ACTIVE domain.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, uid } from "../core/schemas.js";
import * as domains from "./service.js";
import { listWellKnownEndpoints } from "./well-known.js";
import { domainRef, createDomainInput, updateDomainInput, domainOutput, operationOutput, wellKnownOutput } from "./schemas.js";

export const domainActions = [
  defineAction({
    name: "CreateUserPoolDomain",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary:
      "Gives a user pool a custom domain (one per pool, unique across all accounts); it stays PENDING until its CNAME points at ApigDomain.",
    input: createDomainInput,
    output: domainOutput,
    handler: (input, ctx) => domains.createDomain(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "GetUserPoolDomain",
    access: "read",
    errors: ["NotFound"],
    summary: "The pool's custom domain; a PENDING one whose check is due is looked up in DNS first.",
    input: domainRef,
    output: domainOutput,
    handler: (input, ctx) => domains.getDomain(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "UpdateUserPoolDomain",
    access: "write",
    errors: ["NotFound"],
    summary: "Changes the domain's CertificateId; a PENDING domain whose check is due is looked up in DNS.",
    input: updateDomainInput,
    output: domainOutput,
    handler: (input, ctx) => domains.updateDomain(ctx.deps, ctx.accountId, input),
  }),
  defineAction({
    name: "DeleteUserPoolDomain",
    access: "write",
    errors: ["NotFound"],
    summary: "Removes the pool's custom domain; its endpoints return to the public base URL.",
    input: domainRef,
    output: messageResult,
    handler: async (input, ctx) => {
      await domains.deleteDomain(ctx.deps, ctx.accountId, input);
      return { Message: `custom domain ${input.Domain} deleted` };
    },
  }),
  defineAction({
    name: "ListUserPoolDomainOperations",
    access: "read",
    errors: ["NotFound"],
    summary: "What was done to the pool's custom domain (create, verify, update, delete) and how it ended, newest first (the newest 100).",
    input: z.object({ UserPoolUid: uid() }),
    output: z.object({ UserPoolUid: z.string(), Operations: z.array(operationOutput) }),
    handler: (input, ctx) => domains.listDomainOperations(ctx.deps, ctx.accountId, input.UserPoolUid),
  }),
  defineAction({
    name: "ListUserPoolWellKnownEndpoints",
    access: "read",
    accountWide: true,
    errors: [],
    summary:
      "The OIDC addresses of the given pools (all the account's pools when none are given); a uid that names none of them is left out.",
    input: z.object({ UserPoolUids: z.array(uid()).max(100).optional() }),
    output: z.object({ Data: z.array(wellKnownOutput) }),
    handler: (input, ctx) => listWellKnownEndpoints(ctx.deps, ctx.accountId, input.UserPoolUids),
  }),
];
