// Group membership by CSV: CreateUserGroupsCsv's and GetUserGroupsCsvTemplate's requests and answers.
import { z } from "zod";
import { uid } from "../core/schemas.js";
import { IDENTIFIER_TYPES } from "./rows.js";

export const PARAM = "UserGroupsCsvB64";
export const COLUMNS = ["UserIdentifier", "GroupName"];
export const MAX_ROWS = 10_000;

export const templateInput = z.object({ UserPoolUid: uid() });
export const templateOutput = z.object({
  Columns: z.array(z.string()),
  UserGroupsCsvB64: z.string().describe("the header line as a CSV file, base64-encoded"),
});

export const createUserGroupsCsvInput = z.object({
  UserPoolUid: uid(),
  UserIdentifierType: z.enum(IDENTIFIER_TYPES).describe("what the UserIdentifier column holds"),
  ExternalProviderConnectionUid: z
    .string()
    .trim()
    .max(128)
    .describe("with ExternalProviderUserIdentifier: only links to this connection")
    .optional(),
  UniqueGroupPerUserEnabled: z.boolean().optional(),
  UserGroupsCsvB64: z
    .string()
    .min(1)
    .describe(`the CSV (UTF-8, a header line UserIdentifier,GroupName, then at most ${MAX_ROWS} rows), base64-encoded`),
});
