// Parameter decoding (docs/spec/api.md §1) on its own: flat names to nested values, JSON bodies, conforming to
// the schema (case, coercions, flat lists, JSON strings, unions, every wrapper) and the errors, with
// MissingParameter kept apart from InvalidParameter, and names the schema does not declare refused.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  conform,
  issueToError,
  paramsFromFlat,
  paramsFromJson,
  parseParams,
  validateParams,
} from "../../../src/control-plane/gateway/params.js";
import { errorOf, utf8 } from "../../support/unit/support.js";

const flat = (query: string) => paramsFromFlat(new URLSearchParams(query));
/** The error code validateParams gives, or "OK:" and the parsed value as JSON. */
function outcome(schema: z.ZodType, raw: unknown): string {
  const r = validateParams(schema, raw);
  return r.ok ? `OK:${JSON.stringify(r.data)}` : r.error.code;
}

describe("paramsFromFlat", () => {
  it("nests dotted names and keeps plain ones", () => {
    expect(flat("Name=x&A.B.C=1&A.B.D=2&A.E=3")).toEqual({ Name: "x", A: { B: { C: "1", D: "2" }, E: "3" } });
  });
  it("collects repeated names in wire order", () => {
    expect(flat("K=2&K=1&K=3")).toEqual({ K: ["2", "1", "3"] });
    expect(flat("A.K=x&A.K=y")).toEqual({ A: { K: ["x", "y"] } });
  });
  it("keeps indexed names as object keys for conform to order", () => {
    expect(flat("Tags.2=b&Tags.1=a")).toEqual({ Tags: { 1: "a", 2: "b" } });
  });
  it("lets a nested name replace a plain or repeated value of the same name, never nest into a string or a list", () => {
    const a = flat("A=x&A.B=y") as { A: Record<string, unknown> };
    expect(a.A.B).toBe("y");
    const b = flat("A=x&A=z&A.B=y") as { A: Record<string, unknown> };
    expect(Array.isArray(b.A)).toBe(false);
    expect(b.A.B).toBe("y");
  });
  it("does not turn a nested value into a list when a plain value of its name follows", () => {
    expect((flat("A.B=1&A=2") as { A: Record<string, unknown> }).A.B).toBe("1");
  });
  it("builds objects without a prototype, so __proto__ is just a name", () => {
    const raw = flat("__proto__.x=1&constructor=2");
    expect(Object.getPrototypeOf(raw)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf(raw.__proto__)).toBeNull();
  });
});

describe("paramsFromJson", () => {
  it("reads an empty body as no parameters and an object as its parameters", () => {
    expect(paramsFromJson(new Uint8Array(0))).toEqual({});
    expect(paramsFromJson(utf8(`{"Name":"é","N":1}`))).toEqual({ Name: "é", N: 1 });
  });
  it("refuses invalid UTF-8 instead of storing U+FFFD", () => {
    const body = Uint8Array.from([...utf8(`{"Name":"a`), 0xff, ...utf8(`b"}`)]);
    expect(errorOf(() => paramsFromJson(body))).toMatchObject({ code: "InvalidRequest", message: "the request body is not valid JSON" });
  });
  it.each(["{", '{"Name":}', "x", "{}x"])("refuses malformed JSON %j", (text) => {
    expect(errorOf(() => paramsFromJson(utf8(text)))).toMatchObject({
      code: "InvalidRequest",
      message: "the request body is not valid JSON",
    });
  });
  it.each(["null", "1", '"s"', "true", "[]", "[{}]"])("refuses the JSON value %s: the body must be an object", (text) => {
    expect(errorOf(() => paramsFromJson(utf8(text)))).toMatchObject({
      code: "InvalidRequest",
      message: "the request body must be a JSON object",
    });
  });
});

describe("conform: names and objects", () => {
  const schema = z.object({ Name: z.string(), Inner: z.object({ Flag: z.boolean() }).optional() });
  it("matches names case-insensitively, to the schema's spelling; the later of two spellings wins", () => {
    expect(conform(schema, { name: "a" })).toEqual({ Name: "a" });
    expect(conform(schema, { name: "a", NAME: "b" })).toEqual({ Name: "b" });
    expect(conform(schema, { inner: { flag: "true" } })).toEqual({ Inner: { Flag: true } });
  });
  it("reads an object parameter sent as a JSON string, leading spaces allowed", () => {
    expect(conform(schema, { Inner: `{"Flag":"false"}` })).toEqual({ Inner: { Flag: false } });
    expect(conform(schema, { Inner: `  {"flag":true}` })).toEqual({ Inner: { Flag: true } });
    expect(outcome(schema, { Name: "n", Inner: "{not json" })).toBe("InvalidParameter.Inner");
    expect(outcome(schema, { Name: "n", Inner: "x{}" })).toBe("InvalidParameter.Inner");
  });
  it("passes non-objects through for validation to refuse", () => {
    for (const v of [null, 5, "text", ["a"]]) expect(conform(schema, v)).toBe(v);
  });
  it("refuses a name the schema does not know, at any depth, naming it by its path", () => {
    const nested = z.object({
      Name: z.string().optional(),
      Inner: z.object({ Flag: z.boolean().optional() }).optional(),
      Items: z.array(z.object({ Key: z.string() })).optional(),
    });
    const refused = (raw: unknown) => {
      const r = validateParams(nested, raw);
      return r.ok ? "OK" : [r.error.code, r.error.message];
    };
    expect(refused({ Name: "a", Unknown: "x" })).toEqual(["InvalidParameter.Unknown", "Unknown is not a parameter of this action"]);
    // The declared part of the path in the schema's spelling, the unknown name as sent.
    expect(refused({ inner: { flag: "true", Nope: 1 } })).toEqual([
      "InvalidParameter.Inner.Nope",
      "Inner.Nope is not a parameter of this action",
    ]);
    expect(refused({ Inner: { Deep: { X: 1 } } })).toEqual(["InvalidParameter.Inner.Deep", "Inner.Deep is not a parameter of this action"]);
    const deep = z.object({ A: z.object({ B: z.object({ C: z.string().optional() }) }) });
    const r = validateParams(deep, { a: { b: { c: "x", D: 1 } } });
    expect(!r.ok && r.error.code).toBe("InvalidParameter.A.B.D");
    // A list's items are named by the list: Items.1.Other and Items.2.Other are one parameter to fix.
    expect(refused(flat("Items.1.Key=a&Items.2.Other=b"))).toEqual([
      "InvalidParameter.Items.Other",
      "Items.Other is not a parameter of this action",
    ]);
    expect(refused({ Name: "a", Inner: { Flag: true }, Items: [{ Key: "k" }] })).toBe("OK");
  });
  it("echoes an unknown name without control characters and cut to 128 characters", () => {
    const r = validateParams(schema, { [`Bad\u0000Name\u001f\u007f\n${"x".repeat(200)}`]: "v" });
    const name = `Bad?Name???${"x".repeat(200)}`.slice(0, 128);
    expect(!r.ok && [r.error.code, r.error.message]).toEqual([`InvalidParameter.${name}`, `${name} is not a parameter of this action`]);
  });
});

describe("conform: lists", () => {
  const schema = z.object({
    Tags: z.array(z.string()).optional(),
    Flags: z.array(z.boolean()).optional(),
    Nums: z.array(z.number()).optional(),
  });
  it("orders A.1, A.2 ... A.10 by number", () => {
    expect(outcome(schema, flat("Tags.10=j&Tags.2=b&Tags.1=a"))).toBe(`OK:{"Tags":["a","b","j"]}`);
  });
  it.each(["1", "9", "10", "99999"])("takes %s as an index", (index) => {
    expect(outcome(schema, flat(`Tags.${index}=x`))).toBe(`OK:{"Tags":["x"]}`);
  });
  it.each(["0", "01", "100000", "1a", "a1", "-1", "1.5", ""])("does not take %j as an index", (index) => {
    expect(outcome(schema, { Tags: { [index]: "x" } })).toBe("InvalidParameter.Tags");
  });
  it("refuses a list whose keys are only partly indexes", () => {
    expect(outcome(schema, { Tags: { 1: "a", x: "b" } })).toBe("InvalidParameter.Tags");
  });
  it("reads a single value as a one-item list, and a JSON array string as the list", () => {
    expect(outcome(schema, { Tags: "a" })).toBe(`OK:{"Tags":["a"]}`);
    expect(outcome(schema, { Tags: `["a","b"]` })).toBe(`OK:{"Tags":["a","b"]}`);
    expect(outcome(schema, { Tags: ` ["a"]` })).toBe(`OK:{"Tags":["a"]}`);
    expect(outcome(schema, { Tags: `[oops` })).toBe(`OK:{"Tags":["[oops"]}`);
  });
  it("conforms each item", () => {
    expect(outcome(schema, flat("Flags.1=true&Flags.2=false"))).toBe(`OK:{"Flags":[true,false]}`);
    expect(outcome(schema, { Flags: ["true"] })).toBe(`OK:{"Flags":[true]}`);
    expect(outcome(schema, { Nums: "7" })).toBe(`OK:{"Nums":[7]}`);
  });
  it("does not wrap a number, a boolean or null into a list", () => {
    expect(outcome(schema, { Nums: 5 })).toBe("InvalidParameter.Nums");
    expect(outcome(schema, { Flags: true })).toBe("InvalidParameter.Flags");
    expect(outcome(schema, { Tags: null })).toBe("InvalidParameter.Tags");
  });
});

describe("conform: scalars", () => {
  const schema = z.object({ B: z.boolean().optional(), N: z.number().optional(), I: z.int().optional() });
  it('reads exactly "true" and "false" as booleans', () => {
    expect(outcome(schema, { B: "true" })).toBe(`OK:{"B":true}`);
    expect(outcome(schema, { B: "false" })).toBe(`OK:{"B":false}`);
    for (const v of ["TRUE", "yes", "1", ""]) expect(outcome(schema, { B: v }), v).toBe("InvalidParameter.B");
  });
  it.each([
    ["42", 42],
    ["-7", -7],
    [" 5 ", 5],
    ["1.5", 1.5],
    ["-1.25", -1.25],
    ["123456789012345", 123456789012345],
    ["0", 0],
  ])("reads %j as the number %d", (text, n) => {
    expect(outcome(schema, { N: text })).toBe(`OK:{"N":${n}}`);
  });
  it.each(["1e3", "0x10", "1234567890123456", "1.", ".5", "x5", "5x", "--5", "+5", "", "Infinity", "NaN"])(
    "does not read %j as a number",
    (text) => {
      expect(outcome(schema, { N: text })).toBe("InvalidParameter.N");
    },
  );
  it("reads integers for int parameters, and refuses fractions there", () => {
    expect(outcome(schema, { I: "12" })).toBe(`OK:{"I":12}`);
    expect(outcome(schema, { I: "1.5" })).toBe("InvalidParameter.I");
  });
});

describe("conform: wrappers and unions", () => {
  it.each([
    ["optional", z.boolean().optional()],
    ["nullable", z.boolean().nullable()],
    ["default", z.boolean().default(false)],
    ["prefault", z.boolean().prefault(false)],
    ["readonly", z.boolean().readonly()],
    ["catch", z.boolean().catch(false)],
    ["nonoptional", z.boolean().optional().nonoptional()],
    ["transform", z.boolean().transform((b) => (b ? "yes" : "no"))],
    ["pipe", z.boolean().pipe(z.literal(true))],
  ])("sees through %s to the boolean inside", (_name, inner) => {
    const r = validateParams(z.object({ F: inner }), { f: "true" });
    expect(r.ok && (r.data as { F: unknown }).F).toBe(_name === "transform" ? "yes" : true);
  });
  const union = z.object({
    U: z.union([z.string(), z.array(z.string())]).optional(),
    O: z.union([z.string(), z.object({ Flag: z.boolean() })]).optional(),
  });
  it("conforms a list or object value to the union's list or object member", () => {
    expect(outcome(union, flat("U.2=b&U.1=a"))).toBe(`OK:{"U":["a","b"]}`);
    expect(outcome(union, { U: "plain" })).toBe(`OK:{"U":"plain"}`);
    expect(outcome(union, { O: { flag: "true" } })).toBe(`OK:{"O":{"Flag":true}}`);
    expect(outcome(union, { O: null })).toBe("InvalidParameter.O");
  });
  it("leaves an object for a union without list or object members to refuse", () => {
    expect(outcome(z.object({ S: z.union([z.string(), z.number()]) }), { S: { a: 1 } })).toBe("InvalidParameter.S");
  });
});

describe("validateParams and issueToError", () => {
  const schema = z.object({
    Name: z.string().min(1),
    Code: z.string().min(3).optional(),
    Tags: z.array(z.string()).min(1).optional(),
    Pair: z.array(z.string()).min(2).optional(),
    Count: z.number().min(1).optional(),
    Outer: z.object({ Inner: z.string() }).optional(),
  });
  it("says MissingParameter for absent, empty or blank values and empty lists", () => {
    expect(outcome(schema, {})).toBe("MissingParameter.Name");
    expect(outcome(schema, { Name: "" })).toBe("MissingParameter.Name");
    expect(outcome(schema, { Name: "n", Code: "  " })).toBe("MissingParameter.Code");
    expect(outcome(schema, { Name: "n", Tags: [] })).toBe("MissingParameter.Tags");
    expect(outcome(schema, { Name: "n", Outer: {} })).toBe("MissingParameter.Outer.Inner");
  });
  it("says MissingParameter for an absent enum or literal, InvalidParameter for a wrong one", () => {
    const choice = z.object({ Mode: z.enum(["A", "B"]), Kind: z.literal("x").optional() });
    expect(outcome(choice, {})).toBe("MissingParameter.Mode");
    expect(outcome(choice, { Mode: "C" })).toBe("InvalidParameter.Mode");
    expect(outcome(z.object({ Kind: z.literal("x") }), {})).toBe("MissingParameter.Kind");
    expect(outcome(choice, { Mode: "A", Kind: "y" })).toBe("InvalidParameter.Kind");
  });
  it("says InvalidParameter for present values that are wrong, naming the parameter and the problem", () => {
    expect(outcome(schema, { Name: 5 })).toBe("InvalidParameter.Name");
    expect(outcome(schema, { Name: "n", Code: "ab" })).toBe("InvalidParameter.Code");
    expect(outcome(schema, { Name: "n", Pair: ["a"] })).toBe("InvalidParameter.Pair");
    expect(outcome(schema, { Name: "n", Count: 0 })).toBe("InvalidParameter.Count");
    expect(outcome(schema, { Name: "n", Tags: ["a", 5] })).toBe("InvalidParameter.Tags");
    expect(outcome(schema, { Name: "n", Outer: { Inner: 1 } })).toBe("InvalidParameter.Outer.Inner");
    const r = validateParams(schema, { Name: 5 });
    expect(!r.ok && r.error.message).toMatch(/^the parameter Name is invalid: .+/);
  });
  it("keeps Missing for absent values: a present empty list or a failed check on an absent value is Invalid", () => {
    expect(outcome(schema, { Name: [] })).toBe("InvalidParameter.Name");
    expect(outcome(schema, { Name: "n", Code: [] })).toBe("InvalidParameter.Code");
    expect(issueToError({ code: "custom", path: ["Name"], message: "m" } as never).code).toBe("InvalidParameter.Name");
    expect(issueToError({ code: "invalid_type", path: ["Name"], message: "m", expected: "string" } as never).code).toBe(
      "MissingParameter.Name",
    );
  });
  it("names the whole body when the problem has no path", () => {
    expect(outcome(z.string(), 5)).toBe("InvalidParameter.Body");
    expect(outcome(z.string(), undefined)).toBe("MissingParameter.Body");
    expect(issueToError({ code: "custom", path: [0], message: "m", input: 1 } as never).code).toBe("InvalidParameter.Body");
  });
  it("refuses U+0000 in any string the schema declares, naming where", () => {
    const nul = z.object({
      Name: z.string().optional(),
      Mode: z.enum(["a", "b\u0000"]).optional(),
      U: z.union([z.string(), z.number()]).optional(),
      Outer: z.object({ Inner: z.string() }).optional(),
      Tags: z.array(z.string()).optional(),
      UT: z.union([z.string(), z.array(z.string())]).optional(),
      Opaque: z.array(z.unknown()).optional(),
      Any: z.unknown().optional(),
      Maybe: z.object({ Inner: z.string() }).nullable().optional(),
    });
    expect(outcome(nul, { Name: "a\u0000b" })).toBe("InvalidParameter.Name");
    expect(outcome(nul, { Mode: "b\u0000" })).toBe("InvalidParameter.Mode");
    expect(outcome(nul, { U: "\u0000" })).toBe("InvalidParameter.U");
    expect(outcome(nul, { Outer: { Inner: "\u0000" } })).toBe("InvalidParameter.Outer.Inner");
    expect(outcome(nul, { Tags: ["ok", "b\u0000"] })).toBe("InvalidParameter.Tags");
    expect(outcome(nul, { UT: ["ok", "\u0000"] })).toBe("InvalidParameter.UT");
    expect(outcome(z.string(), "\u0000")).toBe("InvalidParameter.Body");
    const r = validateParams(nul, { Name: "\u0000" });
    expect(!r.ok && r.error.message).toBe("the parameter Name must not contain the NUL character (U+0000)");
    // Values the schema leaves unknown are validated later, item by item; numbers hold no NUL.
    expect(outcome(nul, { Opaque: ["\u0000"], U: 5, Name: "fine" })).toBe(`OK:{"Name":"fine","U":5,"Opaque":["\\u0000"]}`);
    expect(outcome(nul, { Any: ["\u0000", { a: "\u0000" }], Maybe: null })).toBe(`OK:{"Any":["\\u0000",{"a":"\\u0000"}],"Maybe":null}`);
  });
  it("parseParams returns the value or throws the first problem", () => {
    expect(parseParams(schema, { name: "n" })).toEqual({ Name: "n" });
    expect(errorOf(() => parseParams(schema, {})).code).toBe("MissingParameter.Name");
  });
});
