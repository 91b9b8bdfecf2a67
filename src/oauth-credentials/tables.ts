// Kysely table types of this family; joined into the Database type in src/db/schema.ts.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OAuthCredentialTables {}
