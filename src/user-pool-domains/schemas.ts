// The zod schemas of the custom-domain actions: actions.ts builds the API from them and service.ts takes
// its input types from them, never from actions.ts (which imports the service).
import { z } from "zod";
import { timeString, uid } from "../core/schemas.js";
import { domainName } from "./names.js";
import { DOMAIN_STATUSES, OPERATION_ACTIONS, OPERATION_STATUSES } from "./tables.js";

export const domainRef = z.object({
  UserPoolUid: uid(),
  Domain: domainName.describe("a host name such as login.example.com; answered lower-case, IDN as punycode"),
});

/** Stored and returned: idplane terminates no TLS for custom domains (docs/api/user-pool-domains.md). */
export const certificateId = z.string().trim().max(128).describe("the certificate the domain's TLS endpoint uses; stored, not acted on");

export const createDomainInput = domainRef.extend({ CertificateId: certificateId.optional() });
export const updateDomainInput = createDomainInput;

export const domainOutput = z.object({
  UserPoolUid: z.string(),
  Domain: z.string(),
  ApigDomain: z.string().describe("point the domain's CNAME record here"),
  CertificateId: z.string(),
  Status: z.enum(DOMAIN_STATUSES).describe("PENDING until idplane has found the CNAME to ApigDomain, then ACTIVE"),
});

export const operationOutput = z.object({
  TaskId: z.string(),
  Action: z.enum(OPERATION_ACTIONS),
  Domain: z.string(),
  Status: z.enum(OPERATION_STATUSES),
  ErrorMessage: z.string(),
  CreateTime: timeString,
  UpdateTime: timeString,
});

export const url = z.string();
export const wellKnownOutput = z.object({
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
