// The custom-domain actions of a user pool (upstream's CreateUserPoolDomain family) and
// ListUserPoolWellKnownEndpoints, whose addresses follow a pool's ACTIVE domain.
import { z } from "zod";
import { defineAction } from "../core/action.js";
import { messageResult, timeString, uid } from "../core/schemas.js";
import { domainName } from "./names.js";
import * as domains from "./service.js";
import { DOMAIN_STATUSES, OPERATION_ACTIONS, OPERATION_STATUSES } from "./tables.js";
import { listWellKnownEndpoints } from "./well-known.js";

export const domainRef = z.object({ UserPoolUid: uid(), Domain: domainName.describe("a host name such as login.example.com; answered lower-case, IDN as punycode") });

/** Stored and returned: idplane terminates no TLS for custom domains (README). */
const certificateId = z.string().trim().max(128).describe("the certificate the domain's TLS endpoint uses; stored, not acted on");

export const createDomainInput = domainRef.extend({ CertificateId: certificateId.optional() });
export const updateDomainInput = createDomainInput;

const domainOutput = z.object({
  UserPoolUid: z.string(),
  Domain: z.string(),
  ApigDomain: z.string().describe("point the domain's CNAME record here"),
  CertificateId: z.string(),
  Status: z.enum(DOMAIN_STATUSES).describe("PENDING until idplane has found the CNAME to ApigDomain, then ACTIVE"),
});

const operationOutput = z.object({
  TaskId: z.string(),
  Action: z.enum(OPERATION_ACTIONS),
  Domain: z.string(),
  Status: z.enum(OPERATION_STATUSES),
  ErrorMessage: z.string(),
  CreateTime: timeString,
  UpdateTime: timeString,
});

const url = z.string();
const wellKnownOutput = z.object({
  UserPoolUid: z.string(),
  CustomDomain: z.string(),
  IssuerUrl: url,
  DiscoveryUrl: url,
  JwksUri: url,
  AuthorizationEndpoint: url,
  TokenEndpoint: url,
  UserinfoEndpoint: url,
  RevocationEndpoint: url,
  IntrospectionEndpoint: url,
  EndSessionEndpoint: url,
});

export const domainActions = [
  defineAction({
    name: "CreateUserPoolDomain",
    access: "write",
    errors: ["NotFound", "Duplicated"],
    summary: "Gives a user pool a custom domain (one per pool, unique across all accounts); it stays PENDING until its CNAME points at ApigDomain.",
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
    summary: "The OIDC addresses of the given pools (all the account's pools when none are given); a uid that names none of them is left out.",
    input: z.object({ UserPoolUids: z.array(uid()).max(100).optional() }),
    output: z.object({ Data: z.array(wellKnownOutput) }),
    handler: (input, ctx) => listWellKnownEndpoints(ctx.deps, ctx.accountId, input.UserPoolUids),
  }),
];
