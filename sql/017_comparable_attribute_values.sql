-- Custom attribute values of DataType DateTime as instants, for ListUsers' CustomAttributeFilter
-- (src/users/attribute-values.ts). Values are checked on write, but some were stored before those
-- checks were strict (2024-02-30T00:00:00Z, year 0000, a +99:99 offset): a plain cast of such a
-- value failed the whole statement (500 for every comparison filter on that attribute, issue 22).
-- This answers null for them instead, so they compare as absent. STABLE, not IMMUTABLE: the cast
-- reads the session's settings (the values always carry their offset, so the result does not vary).
create or replace function idplane_timestamptz_or_null(v text) returns timestamptz
language plpgsql stable parallel safe as $$
begin
  return v::timestamptz;
exception when others then
  return null;
end
$$;
