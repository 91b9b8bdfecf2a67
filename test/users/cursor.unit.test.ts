// The ListUsers NextToken on its own (src/users/cursor.ts): what the service issues reads back to the
// same place, and anything else a caller could send (another sort's token, an old token where it no
// longer applies, a seq beyond bigint, a key the query could not bind, plain garbage) is refused
// before any SQL runs. End to end paging is test/users/list.test.ts.
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/users/cursor.js";
import type { Sort } from "../../src/users/list-query.js";

const created: Sort = { field: "CreateTime", direction: "Desc" };
const updated: Sort = { field: "UpdateTime", direction: "Desc" };
const byName: Sort = { field: "Name", direction: "Asc" };
const b64 = (text: string) => Buffer.from(text).toString("base64url");
/** A u2 token written by hand, for contents encodeCursor never produces. */
const u2 = (field: string, direction: string, seq: string, rawKey: string) => b64(`u2:${field}:${direction}:${seq}:${rawKey}`);

describe("tokens the service issues", () => {
  it("read back to the row they were made from, for each sort", () => {
    expect(decodeCursor(encodeCursor(created, "42", null), created)).toEqual({ seq: "42", key: "" });
    expect(decodeCursor(encodeCursor(updated, "7", "1761811750123456"), updated)).toEqual({ seq: "7", key: "1761811750123456" });
    expect(decodeCursor(encodeCursor(updated, "7", "-5"), updated)).toEqual({ seq: "7", key: "-5" });
    for (const key of ["", "alice", "a:b:c", "Zoë 名前", "x".repeat(300), "+/="]) {
      expect(decodeCursor(encodeCursor(byName, "9223372036854775807", key), byName), key).toEqual({ seq: "9223372036854775807", key });
    }
  });
  it("are opaque: no separator or raw key shows, only base64url characters", () => {
    const token = encodeCursor(byName, "3", "a:b/c+d");
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toContain("a:b");
  });
  it("belong to one sort field and one direction", () => {
    const token = encodeCursor(byName, "3", "bob");
    expect(decodeCursor(token, { field: "Name", direction: "Desc" })).toBeUndefined();
    expect(decodeCursor(token, { field: "Email", direction: "Asc" })).toBeUndefined();
    expect(decodeCursor(encodeCursor(created, "3", null), { field: "CreateTime", direction: "Asc" })).toBeUndefined();
  });
});

describe("old u1 tokens (CreateTime, newest first, before sorting existed)", () => {
  it("still read for CreateTime Desc, and for no other sort", () => {
    expect(decodeCursor(b64("u1:123"), created)).toEqual({ seq: "123", key: "" });
    expect(decodeCursor(b64("u1:123"), { field: "CreateTime", direction: "Asc" })).toBeUndefined();
    expect(decodeCursor(b64("u1:123"), updated)).toBeUndefined();
  });
  it.each(["u1:0", "u1:0123", "u1:9223372036854775808", "u1:", "u1:12x", "u1:-1", "xu1:1", "u1:1 "])("refuse %j", (text) => {
    expect(decodeCursor(b64(text), created)).toBeUndefined();
  });
});

describe("tokens a caller made up", () => {
  it.each([
    ["an empty token", ""],
    ["garbage", "garbage"],
    ["another version", b64("u3:Name:Asc:1:")],
    ["a seq of 0", u2("Name", "Asc", "0", "")],
    ["a seq with a leading zero", u2("Name", "Asc", "01", "")],
    ["a seq beyond bigint", u2("Name", "Asc", "9223372036854775808", "")],
    ["a seq of 20 digits", u2("Name", "Asc", "10000000000000000000", "")],
    ["a negative seq", u2("Name", "Asc", "-1", "")],
    ["a lower-case direction", u2("Name", "asc", "1", "")],
    ["a key outside base64url", u2("Name", "Asc", "1", "a+b")],
    ["a padded key", u2("Name", "Asc", "1", "YQ==")],
    ["a missing key part", b64("u2:Name:Asc:1")],
    ["an extra part", u2("Name", "Asc", "1", "YQ:x")],
    ["text before the version", b64("xu2:Name:Asc:1:")],
    ["an unknown field", u2("Name1", "Asc", "1", "")],
    ["a key holding U+0000", u2("Name", "Asc", "1", b64("a\u0000b"))],
  ])("refuse %s", (_name, token) => {
    expect(decodeCursor(token, byName)).toBeUndefined();
  });
  it.each(["", "abc", "1.5", "1e3", "1234567890123456789", "--1", " 1", "1 "])(
    "refuse the UpdateTime key %j, which the query binds as a number",
    (key) => {
      expect(decodeCursor(u2("UpdateTime", "Desc", "1", b64(key)), updated)).toBeUndefined();
    },
  );
  it("accept an UpdateTime key of up to 18 digits", () => {
    expect(decodeCursor(u2("UpdateTime", "Desc", "1", b64("123456789012345678")), updated)).toEqual({
      seq: "1",
      key: "123456789012345678",
    });
  });
});
