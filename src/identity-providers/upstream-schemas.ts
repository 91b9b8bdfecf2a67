// Schemas of upstream's connection fields beyond the OAuth endpoints: AttributeMappings,
// ClaimsPropagationConfig, ExtraProviderConfiguration, and the fields about things idplane does not
// have (elastic IPs, Passvault), which accept only their empty values. The rules and their reasons
// are in docs/api/identity-providers.md and docs/upstream-deviations.md.
import { z } from "zod";
import { createUserInput } from "../users/schemas.js";
import {
  CLAIM_TYPES,
  MAPPING_TYPES,
  PROPAGATION_MODES,
  type AttributeMapping,
  type ClaimsPropagationConfig,
  type ExtraProviderConfiguration,
} from "./tables.js";

/** CreateUser's fields that are not a user's attributes: where it lives, secrets, state, links. */
const NOT_ATTRIBUTES = new Set([
  "UserPoolUid",
  "Password",
  "UserState",
  "CustomAttributesToUpsert",
  "ExternalProviderConnectionUid",
  "ExternalProviderUserIdentifier",
]);

type Def = { type: string; innerType?: z.ZodType };
const kindOf = (s: z.ZodType): string => {
  const d = (s as unknown as { _zod: { def: Def } })._zod.def;
  return d.innerType ? kindOf(d.innerType) : d.type;
};

/**
 * The user attributes a mapping may fill: CreateUser's own attribute fields (so an attribute the
 * users family gains becomes a target with it), each with whether it is a boolean.
 */
export const USER_ATTRIBUTES: ReadonlyMap<string, "boolean" | "string"> = new Map(
  Object.entries(createUserInput.shape)
    .filter(([name]) => !NOT_ATTRIBUTES.has(name))
    .map(([name, schema]) => [name, kindOf(schema) === "boolean" ? "boolean" : "string"]),
);

/** `given_name`, `GIVENNAME` and `GivenName` all name GivenName: OIDC claim names work as targets. */
const squash = (name: string) => name.replace(/_/g, "").toLowerCase();
const BY_SQUASHED = new Map([...USER_ATTRIBUTES.keys()].map((n) => [squash(n), n]));

const attributeMapping = z
  .object({
    SourceAttributeName: z.string().trim().max(256).default(""),
    TargetAttributeName: z.string().trim().min(1).max(64),
    MappingType: z.enum(MAPPING_TYPES).default("DIRECT"),
    AdditionalConfig: z.string().max(1024).default(""),
  })
  .transform((m, ctx): AttributeMapping => {
    const target = BY_SQUASHED.get(squash(m.TargetAttributeName));
    if (target === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["TargetAttributeName"],
        message: `${JSON.stringify(m.TargetAttributeName.slice(0, 64))} is not a user attribute; one of ${[...USER_ATTRIBUTES.keys()].join(", ")}`,
      });
    } else if (m.MappingType === "DIRECT" && m.SourceAttributeName === "") {
      ctx.addIssue({ code: "custom", path: ["SourceAttributeName"], message: "a DIRECT mapping needs the provider's attribute to copy" });
    } else if (m.MappingType === "DIRECT" && m.AdditionalConfig !== "") {
      ctx.addIssue({
        code: "custom",
        path: ["AdditionalConfig"],
        message: "a DIRECT mapping takes no AdditionalConfig (it is the value of a CONSTANT mapping)",
      });
    } else if (m.MappingType === "CONSTANT" && m.SourceAttributeName !== "") {
      ctx.addIssue({
        code: "custom",
        path: ["SourceAttributeName"],
        message: "a CONSTANT mapping reads no provider attribute; its value is AdditionalConfig",
      });
    } else if (
      m.MappingType === "CONSTANT" &&
      USER_ATTRIBUTES.get(target) === "boolean" &&
      !["true", "false"].includes(m.AdditionalConfig)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["AdditionalConfig"],
        message: `${target} is a boolean: the constant must be "true" or "false"`,
      });
    }
    return { ...m, TargetAttributeName: target ?? m.TargetAttributeName };
  });

/** Replaces the whole list on update; each user attribute is the target of at most one mapping. */
export const attributeMappings = z
  .array(attributeMapping)
  .max(50)
  .refine(
    (list) => new Set(list.map((m) => m.TargetAttributeName)).size === list.length,
    "each user attribute may be the target of one mapping only",
  );

/** Claims no provider may set in idplane's tokens: they say who issued the token, to whom and when. */
const RESERVED_CLAIMS = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "azp",
  "nonce",
  "auth_time",
  "at_hash",
  "c_hash",
  "acr",
  "amr",
  "sid",
  "scope",
  "client_id",
  "cnf",
]);

const claimRule = z.object({
  ClaimType: z.enum(CLAIM_TYPES).default("STRING"),
  Required: z.boolean().default(false),
  SourceClaimPath: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .regex(/^[^\s\p{C}]+$/u, "a claim name or dotted path without spaces"),
  TargetClaim: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z_][A-Za-z0-9_.:/-]*$/, "a claim name or URI: letters, digits, _ . : / -, not starting with a digit")
    .refine((c) => !RESERVED_CLAIMS.has(c), "is a registered claim idplane sets itself (iss, sub, aud, exp, ...)"),
});

/** Replaced whole on update; RULES needs at least one rule, and each TargetClaim appears once. */
export const claimsPropagationConfig = z
  .object({ Mode: z.enum(PROPAGATION_MODES).default("DISABLED"), ClaimRules: z.array(claimRule).max(50).default([]) })
  .refine((c) => c.Mode !== "RULES" || c.ClaimRules.length > 0, { message: "Mode RULES needs at least one rule", path: ["ClaimRules"] })
  .refine((c) => new Set(c.ClaimRules.map((r) => r.TargetClaim)).size === c.ClaimRules.length, {
    message: "each TargetClaim may appear once",
    path: ["ClaimRules"],
  });

export const extraProviderConfiguration = z.object({
  DingDingExtraProviderConfiguration: z.object({ AgentId: z.string().trim().max(128).default("") }).optional(),
});

export const DEFAULT_CLAIMS_PROPAGATION: ClaimsPropagationConfig = { Mode: "DISABLED", ClaimRules: [] };
export const DEFAULT_EXTRA_CONFIGURATION: ExtraProviderConfiguration = { DingDingExtraProviderConfiguration: { AgentId: "" } };

/** A field about something idplane does not have: its empty value is accepted, anything else refused. */
const nothingBut = <T extends z.ZodType>(schema: T, isEmpty: (v: z.output<T>) => boolean, what: string) =>
  schema.refine(isEmpty, `idplane has no ${what}; only the empty value is accepted`);

/** An elastic IP to reach the provider through (upstream's network egress): idplane calls providers directly. */
export const eipId = nothingBut(z.string().trim().max(128), (v) => v === "", "elastic IPs (EipId)");

export const passvaultOptions = nothingBut(
  z.object({
    CreatePassvaultOauth2CredentialProvider: z.boolean().default(false),
    WorkloadPoolName: z.string().trim().max(128).default(""),
  }),
  (v) => !v.CreatePassvaultOauth2CredentialProvider && v.WorkloadPoolName === "",
  "Passvault credential providers",
);

// ---- results ----

export const attributeMappingOutput = z.object({
  SourceAttributeName: z.string(),
  TargetAttributeName: z.string(),
  MappingType: z.enum(MAPPING_TYPES),
  AdditionalConfig: z.string(),
});

export const claimsPropagationOutput = z.object({
  Mode: z.enum(PROPAGATION_MODES),
  ClaimRules: z.array(
    z.object({ ClaimType: z.enum(CLAIM_TYPES), Required: z.boolean(), SourceClaimPath: z.string(), TargetClaim: z.string() }),
  ),
});

export const extraProviderConfigurationOutput = z.object({ DingDingExtraProviderConfiguration: z.object({ AgentId: z.string() }) });

/** Always empty: idplane reaches providers without an elastic IP. */
export const eipRecordOutput = z.object({ EipAddress: z.literal(""), EipId: z.literal("") });
export const EMPTY_EIP_RECORD = { EipAddress: "", EipId: "" } as const;

// ---- OIDC and SAML connections ----

/** Upstream's SCIM provisioning settings; stored, merged field by field on update (see docs/api/identity-providers.md). */
export const scimProvisioning = z
  .object({
    Enabled: z.boolean(),
    UserIdAttribute: z.string().trim().max(128),
    AdditionalMappings: z
      .array(
        z.object({ ScimPath: z.string().trim().min(1).max(256), UserPoolPath: z.array(z.string().trim().min(1).max(128)).min(1).max(8) }),
      )
      .max(50)
      .describe("replaces the whole list on update"),
  })
  .partial();

export const scimProvisioningOutput = z.object({
  Enabled: z.boolean(),
  UserIdAttribute: z.string(),
  AdditionalMappings: z.array(z.object({ ScimPath: z.string(), UserPoolPath: z.array(z.string()) })),
  BaseUrl: z.string().describe("where the connection's SCIM endpoint is to be served; idplane serves no SCIM yet"),
});

export const DEFAULT_SCIM_PROVISIONING = { Enabled: false, UserIdAttribute: "", AdditionalMappings: [] };
