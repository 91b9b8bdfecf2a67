-- Abuse resistance shared by every instance of the service: the per-access-key token buckets behind
-- `Throttling`, and the signatures already used when strict replay protection is on
-- (ID_REPLAY_PROTECTION=on). Both are keyed by account first, like every other table.

-- One bucket per access key. Instances lease a few tokens at a time from it with one atomic upsert
-- (src/platform/rate-limits/queries.ts) and spend them locally, so a request does not wait for the database.
-- Unlogged: a bucket lost in a crash only refills early, and the writes skip the WAL.
create unlogged table rate_limits (
  account_id     bigint           not null,
  access_key_id  text             not null,
  -- Tokens left after the last lease, as of refilled_at; refilled lazily by the next lease.
  tokens         double precision not null,
  -- What the last lease handed out (read back through RETURNING; SET sees only old values).
  granted        integer          not null,
  refilled_at    timestamptz      not null default now(),
  constraint rate_limits__pkey primary key (account_id, access_key_id)
);

-- Signatures seen within their validity window. A second insert of the same signature is a replay.
-- Logged on purpose: losing rows in a crash would reopen the window for captured requests.
create table seen_signatures (
  account_id  bigint      not null,
  signature   text        not null,
  -- X-Date plus the allowed skew (and a margin): after that the timestamp check refuses the request.
  expires_at  timestamptz not null,
  constraint seen_signatures__pkey primary key (account_id, signature)
);
create index seen_signatures__expires_at on seen_signatures (expires_at);
