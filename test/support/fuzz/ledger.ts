// The fuzz suite's ledger: what successful (2xx) requests created and deleted, the identifiers that
// generated input may name (so hostile input reaches real rows), and the end check that the database
// holds exactly that: nothing written by a refused request, nothing lost, counters in step.
import { sql, type Kysely } from "kysely";
import type { Database } from "../../../src/platform/db/schema.js";

type Row = Record<string, unknown>;

export class FuzzLedger {
  readonly pools = new Set<string>();
  /** child id -> pool uid, for the cascade of DeleteUserPool */
  readonly users = new Map<string, string>();
  readonly credentials = new Map<string, string>();
  readonly providers = new Map<string, string>();
  /** credential id -> its ClientApiIdentifier */
  readonly clientIds = new Map<string, string>();
  /** queued reset mails per pool */
  readonly mails = new Map<string, number>();
  /** a pool the fuzz may never delete, so the run keeps reaching rows */
  mainPool = "";
  writes = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly accountId: string,
  ) {}

  /** Identifiers by parameter name; undefined for parameters that take free values. */
  known = (field: string, action?: string): readonly (string | number)[] | undefined => {
    switch (field) {
      case "UserPoolUid":
        return action === "DeleteUserPool" ? [...this.pools].filter((p) => p !== this.mainPool) : [...this.pools];
      case "UserUid":
      case "UserUids":
        return [...this.users.keys()];
      case "ConnectionUid":
        return [...this.providers.keys()];
      case "CredentialId":
        return [...this.credentials.keys()].map(Number);
      // One client, two faces: the UserPoolClient actions name a credential by its client id.
      case "ClientApiIdentifier":
      case "ClientUid":
        return [...this.clientIds.values()];
      default:
        return undefined;
    }
  };

  private async poolOf(table: "users" | "oauth_credentials" | "identity_providers", column: string, id: string): Promise<string> {
    const r = await sql<{
      p: string;
    }>`select user_pool_uid as p from ${sql.table(table)} where account_id = ${this.accountId} and ${sql.ref(column)} = ${id}`.execute(
      this.db,
    );
    if (!r.rows[0]) throw new Error(`${table} ${id} was reported created but is not in the database`);
    return r.rows[0].p;
  }

  private dropPool(uid: string) {
    this.pools.delete(uid);
    for (const m of [this.users, this.credentials, this.providers]) for (const [k, p] of m) if (p === uid) m.delete(k);
    for (const k of this.clientIds.keys()) if (!this.credentials.has(k)) this.clientIds.delete(k);
    this.mails.delete(uid);
  }

  /** Records what a 2xx response of an action created or deleted. */
  async record(action: string, result: Row): Promise<void> {
    const msgId = (re: RegExp) => re.exec(String(result.Message ?? ""))?.[1];
    switch (action) {
      case "CreateUserPool":
        this.pools.add(String(result.Uid));
        break;
      case "DeleteUserPool":
        this.dropPool(msgId(/^user pool (.+) deleted$/)!);
        break;
      case "CreateUser":
        this.users.set(String(result.Uid), await this.poolOf("users", "uid", String(result.Uid)));
        break;
      case "CreateUsers":
      case "CreateUsersCSV":
        for (const uid of result.SuccessfulUids as string[]) this.users.set(uid, await this.poolOf("users", "uid", uid));
        break;
      case "DeleteUsers":
        for (const uid of result.SuccessfulUids as string[]) this.users.delete(uid);
        break;
      case "CreateOAuthCredential": {
        const pool = await this.poolOf("oauth_credentials", "credential_id", String(result.CredentialId));
        this.credentials.set(String(result.CredentialId), pool);
        this.clientIds.set(String(result.CredentialId), String(result.ClientApiIdentifier));
        break;
      }
      case "DeleteOAuthCredential": {
        this.credentials.delete(String(result.CredentialId));
        this.clientIds.delete(String(result.CredentialId));
        break;
      }
      case "CreateUserPoolClient": {
        const r = await sql<{
          id: string;
          p: string;
        }>`select credential_id::text as id, user_pool_uid as p from oauth_credentials where account_id = ${this.accountId} and client_api_identifier = ${String(result.Uid)}`.execute(
          this.db,
        );
        if (!r.rows[0]) throw new Error(`user pool client ${String(result.Uid)} was reported created but is not in the database`);
        this.credentials.set(r.rows[0].id, r.rows[0].p);
        this.clientIds.set(r.rows[0].id, String(result.Uid));
        break;
      }
      case "DeleteUserPoolClient": {
        const clientId = msgId(/^client (.+) deleted$/)!;
        for (const [id, c] of this.clientIds) if (c === clientId) [this.clientIds, this.credentials].forEach((m) => m.delete(id));
        break;
      }
      case "CreateIdentityProviderOAuth":
        this.providers.set(String(result.Uid), await this.poolOf("identity_providers", "uid", String(result.Uid)));
        break;
      case "DeleteIdentityProviderOAuth":
      case "DeleteIdentityProvider":
        this.providers.delete(msgId(/^identity provider (.+) deleted$/)!);
        break;
      case "ResetPassword": {
        // A pool whose email service is off answers 200 and queues nothing (EMAIL_OFF_MESSAGE).
        if (!String(result.Message).startsWith("a password reset email was queued")) return;
        const user = msgId(/user (\S+)$/)!;
        const pool = this.users.get(user)!;
        this.mails.set(pool, (this.mails.get(pool) ?? 0) + 1);
        break;
      }
      default:
        return;
    }
    this.writes++;
  }

  private async ids(query: ReturnType<typeof sql<{ id: string }>>): Promise<Set<string>> {
    return new Set((await query.execute(this.db)).rows.map((r) => String(r.id)));
  }

  /** Compares the database with the ledger; returns every difference (empty when they agree). */
  async verify(): Promise<{ problems: string[]; rows: number }> {
    const a = this.accountId;
    const tables: [string, Set<string>, Set<string>][] = [
      ["user_pools", this.pools, await this.ids(sql`select uid as id from user_pools where account_id = ${a}`)],
      ["users", new Set(this.users.keys()), await this.ids(sql`select uid as id from users where account_id = ${a}`)],
      [
        "oauth_credentials",
        new Set(this.credentials.keys()),
        await this.ids(sql`select credential_id::text as id from oauth_credentials where account_id = ${a}`),
      ],
      [
        "identity_providers",
        new Set(this.providers.keys()),
        await this.ids(sql`select uid as id from identity_providers where account_id = ${a}`),
      ],
    ];
    const problems: string[] = [];
    let rows = 0;
    for (const [table, expected, actual] of tables) {
      rows += actual.size;
      for (const id of actual) if (!expected.has(id)) problems.push(`${table}: ${id} exists but no successful request created it`);
      for (const id of expected) if (!actual.has(id)) problems.push(`${table}: ${id} was created and not deleted, but is gone (row lost)`);
    }
    const mail = await sql<{
      p: string;
      n: string;
    }>`select user_pool_uid as p, count(*)::text as n from mail_outbox where account_id = ${a} group by 1`.execute(this.db);
    const mailByPool = new Map(mail.rows.map((r) => [r.p, Number(r.n)]));
    for (const p of new Set([...mailByPool.keys(), ...this.mails.keys()])) {
      if ((mailByPool.get(p) ?? 0) !== (this.mails.get(p) ?? 0))
        problems.push(`mail_outbox: pool ${p} holds ${mailByPool.get(p) ?? 0} mails, ${this.mails.get(p) ?? 0} resets succeeded`);
      rows += mailByPool.get(p) ?? 0;
    }
    const counters = await sql<{ uid: string; bad: string }>`
      select p.uid, concat_ws(' ',
        case when p.total_users <> (select count(*) from users u where u.account_id = p.account_id and u.user_pool_uid = p.uid) then 'total_users' end,
        case when p.total_clients <> (select count(*) from oauth_credentials c where c.account_id = p.account_id and c.user_pool_uid = p.uid) then 'total_clients' end,
        case when p.total_connections <> (select count(*) from identity_providers i where i.account_id = p.account_id and i.user_pool_uid = p.uid) then 'total_connections' end) as bad
      from user_pools p where p.account_id = ${a}`.execute(this.db);
    for (const r of counters.rows) if (r.bad) problems.push(`user_pools ${r.uid}: counter out of step: ${r.bad}`);
    return { problems, rows };
  }
}
