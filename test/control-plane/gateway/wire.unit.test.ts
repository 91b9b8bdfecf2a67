// The request as read off the wire, from Node's IncomingMessage and from a fetch Request: raw path and
// query, the first value of a query name, header lookup (repeated Authorization headers joined so they
// are refused), and the body under its limit.
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { wireFromFetch, wireFromIncoming } from "../../../src/control-plane/gateway/wire.js";
import { asyncErrorOf } from "../../support/unit/support.js";

function incoming(o: {
  method?: string;
  url?: string;
  headers?: Record<string, string | string[]>;
  rawHeaders?: string[];
  chunks?: string[];
  end?: boolean;
}) {
  const m = new IncomingMessage(new Socket());
  m.method = o.method as string;
  // Node's server always sets both; the defaults are for anything else that builds one.
  m.url = o.url as string;
  m.headers = o.headers ?? {};
  m.rawHeaders = o.rawHeaders ?? [];
  for (const c of o.chunks ?? []) m.push(Buffer.from(c));
  if (o.end !== false) m.push(null);
  return m;
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("wireFromFetch", () => {
  it("splits the raw path and query, without normalizing them", () => {
    const w = wireFromFetch(new Request("http://h.example:8080/a%2fb/c?X=1&Y=%41&X=2"));
    expect([w.method, w.rawPath, w.rawQuery]).toEqual(["GET", "/a%2fb/c", "X=1&Y=%41&X=2"]);
    expect(w.query.map((p) => p.nameText)).toEqual(["X", "Y", "X"]);
    expect([w.queryValue("X"), w.queryValue("Y"), w.queryValue("x"), w.queryValue("Z")]).toEqual(["1", "A", undefined, undefined]);
  });
  it("has an empty query without ?", () => {
    const w = wireFromFetch(new Request("http://h.example/"));
    expect([w.rawPath, w.rawQuery, w.query]).toEqual(["/", "", []]);
  });
  it("looks headers up by name, undefined when absent", () => {
    const w = wireFromFetch(new Request("http://h/", { headers: { "X-Date": "d" } }));
    expect([w.header("x-date"), w.header("authorization")]).toEqual(["d", undefined]);
  });
  it("reads the body under the limit and refuses a declared length over it before reading", async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      wireFromFetch(new Request("http://h/", { method: "POST", body, headers }));
    expect(text(await post("abc").readBody(3))).toBe("abc");
    expect((await asyncErrorOf(() => post("abcd").readBody(3))).code).toBe("RequestEntityTooLarge");
    // A declared length over the limit is refused although the bytes sent would fit.
    expect((await asyncErrorOf(() => post("ab", { "Content-Length": "999" }).readBody(5))).code).toBe("RequestEntityTooLarge");
  });
});

describe("wireFromIncoming", () => {
  it("splits the raw URL and defaults a missing method and URL", () => {
    const w = wireFromIncoming(incoming({ method: "PUT", url: "/p?Action=A&Action=B" }));
    expect([w.method, w.rawPath, w.rawQuery, w.queryValue("Action")]).toEqual(["PUT", "/p", "Action=A&Action=B", "A"]);
    const bare = wireFromIncoming(incoming({}));
    expect([bare.method, bare.rawPath, bare.rawQuery]).toEqual(["GET", "/", ""]);
  });
  it("joins every Authorization header, whatever its case, so that two are refused rather than one picked", () => {
    const w = wireFromIncoming(
      incoming({
        headers: { authorization: "first" },
        // Cache-Control has as many letters as Authorization: the length is only a shortcut, the name decides.
        rawHeaders: [
          "Host",
          "h",
          "Authorization",
          "first",
          "X-Authorization",
          "no",
          "Cache-Control",
          "no",
          "AUTHORIZATION",
          "second",
          "authorizatio",
          "no",
        ],
      }),
    );
    expect(w.header("authorization")).toBe("first, second");
    expect(wireFromIncoming(incoming({ rawHeaders: ["Authorization", "only"] })).header("authorization")).toBe("only");
    expect(wireFromIncoming(incoming({ rawHeaders: ["Host", "h"] })).header("authorization")).toBeUndefined();
  });
  it("reads other headers from Node's parsed headers, joining arrays", () => {
    const w = wireFromIncoming(incoming({ headers: { "x-date": "d", "x-list": ["1", "2"] } }));
    expect([w.header("x-date"), w.header("x-list"), w.header("x-none")]).toEqual(["d", "1, 2", undefined]);
  });
  it("returns a one-chunk body as it came, without copying, and joins several", async () => {
    const m = new IncomingMessage(new Socket());
    const chunk = Buffer.from("abc");
    m.push(chunk);
    m.push(null);
    expect(await wireFromIncoming(m).readBody(3)).toBe(chunk);
    expect(text(await wireFromIncoming(incoming({ chunks: ["ab", "cd", "e"] })).readBody(5))).toBe("abcde");
    expect(await wireFromIncoming(incoming({})).readBody(5)).toHaveLength(0);
  });
  it("refuses a declared Content-Length over the limit before reading", async () => {
    const m = incoming({ headers: { "content-length": "6" }, chunks: ["abc"] });
    expect((await asyncErrorOf(() => wireFromIncoming(m).readBody(5))).code).toBe("RequestEntityTooLarge");
    expect(m.listenerCount("data")).toBe(0);
  });
  it("refuses a body that grows past the limit, stops reading and lets go of the stream", async () => {
    const m = incoming({ chunks: ["abc", "def"], end: false });
    const e = await asyncErrorOf(() => wireFromIncoming(m).readBody(5));
    expect([e.code, e.message]).toEqual(["RequestEntityTooLarge", "the request body exceeds 5 bytes"]);
    expect(m.isPaused()).toBe(true);
    expect([m.listenerCount("data"), m.listenerCount("end"), m.listenerCount("error")]).toEqual([0, 0, 0]);
  });
  it("passes a stream error on and lets go of the stream", async () => {
    const m = incoming({ end: false });
    const reading = wireFromIncoming(m).readBody(5);
    m.destroy(new Error("connection reset"));
    await expect(reading).rejects.toThrow("connection reset");
    expect([m.listenerCount("data"), m.listenerCount("end")]).toEqual([0, 0]);
  });
  it("lets go of the stream after a whole body", async () => {
    const m = incoming({ chunks: ["ab"] });
    await wireFromIncoming(m).readBody(5);
    expect([m.listenerCount("data"), m.listenerCount("end"), m.listenerCount("error")]).toEqual([0, 0, 0]);
  });
});
