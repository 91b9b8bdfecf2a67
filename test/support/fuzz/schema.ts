// Structure-aware fast-check arbitraries for the hostile-input fuzz suite: walks an action's zod
// input schema and produces mostly plausible parameters (so inputs get past decoding into the
// handlers), then hostile values, wrong types, case-duplicated and unknown keys on top.
import fc from "fast-check";
import type { z } from "zod";

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  checks?: { _zod: { def: { check: string; maximum?: number } } }[];
};
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Identifiers the fuzz run knows to exist, per parameter name: lets generated input reach the database. */
export type KnownValues = (field: string) => readonly (string | number)[] | undefined;

/** Strings meant to break something: SQL, header and log injection, encodings, oddities. */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR 1=1 --",
  "'; drop table user_pools; --",
  '"; select pg_sleep(10); --',
  "1; delete from users",
  "%' or '%'='",
  "\\",
  "\\'",
  "$1",
  "$$ $$",
  "::text",
  "e'\\x00'",
  "\u0000",
  "a\u0000b",
  "\r\nX-Injected: yes",
  "a\r\nSet-Cookie: x=1",
  "%0d%0aX-Injected:%20yes",
  '\n{"level":60,"msg":"forged"}',
  "\u001b[31mred",
  "\u202e\u202dltr",
  "\u200b",
  "\ufeff",
  "\ud800",
  "\udfff",
  "a\ud83d",
  "😀".repeat(40),
  "Ａ",
  "ǅ",
  "İ",
  "ß",
  "\u0130",
  "../../etc/passwd",
  "${jndi:ldap://x}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  "0x10",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  " ",
  "\t",
  "",
  "AKLT",
  "user@",
  "@example.com",
  "+",
  "+0",
  "https://",
  "http://user:pw@x/",
  "javascript:alert(1)",
  "https://example.com/#frag",
  "https://[::1",
  "00000000-0000-0000-0000-000000000000",
];

const controlString = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const anyUnicode = fc.string({ unit: "binary", maxLength: 60 });
const hugeString = fc
  .constantFrom(1024, 1025, 4096, 16_385, 100_000, 300_000)
  .chain((n) => fc.constantFrom("a", "é", "😀", "\u0000", "'").map((ch) => ch.repeat(n)));

/** A deeply nested JSON text (arrays or objects), to find recursion without a limit. */
export const deepJson = fc
  .tuple(fc.constantFrom(50, 1000, 5000, 50_000), fc.boolean())
  .map(([depth, arrays]) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"Name":'.repeat(depth) + '"x"' + "}".repeat(depth)));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: controlString },
  { weight: 2, arbitrary: anyUnicode },
  { weight: 1, arbitrary: hugeString },
);

/** Any JSON-ish value of the wrong kind. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [null], { "": "" }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  hostileString,
);

const plainText = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_."), minLength: 1, maxLength: 24 });

/** Plausible values for fields whose rules a random string would almost never satisfy. */
function domainValue(field: string): fc.Arbitrary<unknown> | undefined {
  switch (field) {
    case "Email":
      return fc.oneof(
        plainText.map((s) => `${s}@example.com`),
        fc.constant(""),
      );
    case "PhoneNumber":
      return fc.integer({ min: 10_000_000, max: 999_999_999 }).map((n) => `+86138${n}`);
    case "ResetPasswordUrl":
    case "AuthorizationEndpoint":
    case "TokenEndpoint":
    case "UserEndpoint":
    case "LogoUri":
    case "RedirectUri":
      return plainText.map((s) => `https://example.com/${encodeURIComponent(s)}`);
    case "GrantType":
      return fc.constantFrom("authorization_code", "client_credentials", "single_sign_on", "refresh_token", "password", "implicit");
    case "Scope":
      return fc.constantFrom("openid", "openid profile email", "offline_access", "nope");
    case "UserMetadata":
      return fc.constantFrom("{}", '{"a":1}', '{"nested":{"k":[1,2]}}', "[]", "1");
    case "NextToken": {
      // Forged cursors: well-formed but out of range, another version, not base64url at all.
      const b64 = (t: string) => Buffer.from(t).toString("base64url");
      return fc.oneof(
        fc
          .constantFrom(
            "u1:9999999999999999999",
            "u1:9223372036854775808",
            "u1:9223372036854775807",
            "u1:0",
            "u1:-1",
            "u2:1",
            "u1:1e3",
            "u1:",
          )
          .map(b64),
        fc.bigInt({ min: 1n, max: 10n ** 25n }).map((n) => b64(`u1:${n}`)),
        fc.constantFrom("", "%%%", "u1:1", "=".repeat(40)),
      );
    }
    case "Password":
    case "NewPassword":
      // Never a password any pool accepts (MinLength is at least 6): a valid one costs an scrypt hash.
      return fc.string({ maxLength: 5 });
    default:
      return undefined;
  }
}

/** An arbitrary for one schema, mostly valid-looking, sometimes hostile (probability ~1/hostility). */
export function valueFor(schema: z.ZodType, field: string, known: KnownValues, hostility: number): fc.Arbitrary<unknown> {
  const plausible = plausibleFor(schema, field, known, hostility);
  const wrong =
    field === "Password" || field === "NewPassword"
      ? fc.oneof(
          wrongType.filter((v) => typeof v !== "string"),
          hugeString,
        )
      : wrongType;
  return fc.oneof({ weight: hostility, arbitrary: plausible }, { weight: 1, arbitrary: wrong });
}

function plausibleFor(schema: z.ZodType, field: string, known: KnownValues, hostility: number): fc.Arbitrary<unknown> {
  const d = defOf(schema);
  if (known(field) && !["optional", "default", "nullable", "array"].includes(d.type)) {
    // Read the live list when a value is drawn: rows come and go during the run.
    const live = fc.nat().map((i) => {
      const ids = known(field)!;
      return ids.length ? ids[i % ids.length]! : "none";
    });
    return fc.oneof({ weight: 4, arbitrary: live }, { weight: 1, arbitrary: fc.constantFrom("", "nope", "0", "-1", "9".repeat(30)) });
  }
  switch (d.type) {
    case "optional":
    case "default":
    case "nullable":
    case "prefault":
      return plausibleFor(d.innerType!, field, known, hostility);
    case "pipe":
      return plausibleFor(d.in!, field, known, hostility);
    case "object":
      return objectFor(schema, known, hostility);
    case "array":
      return fc.array(valueFor(d.element!, field, known, hostility), { maxLength: field === "Users" ? 4 : 3 });
    case "union":
      return fc.oneof(...d.options!.map((o) => plausibleFor(o, field, known, hostility)));
    case "enum":
      return fc.constantFrom(...Object.values(d.entries!));
    case "literal":
      return fc.constantFrom(...d.values!);
    case "boolean":
      return fc.oneof(fc.boolean(), fc.constantFrom("true", "false", "1", "yes"));
    case "number":
      // Integer extremes for every integer parameter: past int4, int8 and the safe range, as
      // numbers and as the decimal strings flat forms carry.
      return fc.oneof(
        fc.integer({ min: -3, max: 150 }),
        fc.constantFrom(60, 3600, 604_800, 1_000_000, 2 ** 31, 2 ** 53, -(2 ** 63), 1e19, 1e308, 0.5, -0),
        fc.constantFrom(
          "2147483648",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775809",
          "99999999999999999999",
          "1e3",
          "0x10",
        ),
      );
    case "string":
      return domainValue(field) ?? fc.oneof(plainText, fc.string({ maxLength: 30 }));
    default:
      return fc.oneof(fc.jsonValue({ maxDepth: 2 }), objectForUnknown(known, hostility));
  }
}

/** CreateUsers items are z.unknown() in a union: give them user-shaped objects too. */
const objectForUnknown = (_known: KnownValues, _h: number) =>
  fc.record(
    {
      PreferredUsername: plainText,
      Email: fc.option(
        plainText.map((s) => `${s}@example.com`),
        { nil: undefined },
      ),
    },
    { requiredKeys: [] },
  );

/** Each field present or not; then case-duplicated, unknown and prototype-named keys mixed in. */
export function objectFor(schema: z.ZodType, known: KnownValues, hostility: number): fc.Arbitrary<Record<string, unknown>> {
  const shape = defOf(schema).shape ?? {};
  const names = Object.keys(shape);
  const fields = fc.record(Object.fromEntries(names.map((n) => [n, valueFor(shape[n]!, n, known, hostility)])), { requiredKeys: [] });
  const extraKey = fc.oneof(
    names.length
      ? fc.constantFrom(...names).chain((n) => fc.constantFrom(n.toLowerCase(), n.toUpperCase(), n[0]!.toLowerCase() + n.slice(1)))
      : fc.constant("x"),
    fc.constantFrom("__proto__", "constructor", "prototype", "Action", "Version", "X-Date", "", " Name", "Name ", "名前"),
    fc.string({ maxLength: 12 }),
  );
  // Unknown names are refused before any rule runs: most objects carry none, so the run still reaches the handlers.
  const extras = fc.oneof(
    { weight: 6, arbitrary: fc.constant([] as [string, unknown][]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(extraKey, wrongType), { minLength: 1, maxLength: hostility > 6 ? 1 : 3 }) },
  );
  return fc.tuple(fields, extras).map(([f, ex]) => {
    const out: Record<string, unknown> = { ...f };
    // defineProperty: a "__proto__" key must become an own key, as JSON.parse would make it.
    for (const [k, v] of ex) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}
