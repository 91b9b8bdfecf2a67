// The request and result schemas of identity linking; the service types its inputs from them, and
// ListUsers' Filter.ExternalProviderUserIdentifiersOr takes externalUserId.
import { z } from "zod";
import { uid } from "../core/schemas.js";
import { IDENTIFIER_FIELDS } from "./federated.js";

/** A user's id at a provider (an OIDC `sub`, a SAML NameID, an OAuth IdAttribute value). */
export const externalUserId = () => z.string().trim().min(1).max(512);

export const linkInput = z.object({
  UserPoolUid: uid(),
  ConnectionUid: uid().describe("a connection of the pool, of any type"),
  ExternalProviderUserId: externalUserId(),
  UserPoolUserUid: uid(),
});

export const convertInput = z.object({
  UserPoolUid: uid(),
  UserUids: z.array(uid()).min(1).max(100).describe("users of the pool; a native one counts as converted"),
});

export const convertOutput = z.object({
  ConflictUsers: z
    .array(z.object({ Field: z.enum(IDENTIFIER_FIELDS), UserUids: z.array(z.string()) }))
    .describe("users left federated: a native user (or an earlier user of the request) holds their value of Field"),
  SuccessfulUids: z.array(z.string()),
});
