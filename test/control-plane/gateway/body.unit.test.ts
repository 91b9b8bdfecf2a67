// The body limit on its own: a declared Content-Length over the limit is refused before reading, a
// streamed body is cut off the moment it passes the limit, and a body exactly at the limit is read whole.
import { describe, expect, it } from "vitest";
import { checkDeclaredLength, readBodyLimited } from "../../../src/control-plane/gateway/body.js";
import { asyncErrorOf, errorOf, utf8 } from "../../support/unit/support.js";

/** A stream of chunks; with onCancel it stays open after them, as a client still sending would. */
function stream(chunks: string[], onCancel?: () => void | Promise<void>) {
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(utf8(chunk));
      if (!onCancel) c.close();
    },
    cancel: onCancel,
  });
}
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("checkDeclaredLength", () => {
  it("lets a declared length up to the limit, or none, through", () => {
    expect(() => checkDeclaredLength(undefined, 10)).not.toThrow();
    expect(() => checkDeclaredLength("10", 10)).not.toThrow();
    expect(() => checkDeclaredLength("0", 0)).not.toThrow();
  });
  it("refuses a declared length over the limit with RequestEntityTooLarge, naming the limit", () => {
    const e = errorOf(() => checkDeclaredLength("11", 10));
    expect([e.code, e.status, e.message]).toEqual(["RequestEntityTooLarge", 413, "the request body exceeds 10 bytes"]);
  });
});

describe("readBodyLimited", () => {
  it("reads no body as empty", async () => {
    expect(await readBodyLimited(null, 10)).toEqual(new Uint8Array(0));
    expect(await readBodyLimited(stream([]), 10)).toEqual(new Uint8Array(0));
  });
  it("returns a single chunk as it came, without copying", async () => {
    const chunk = utf8("hello");
    const body = await readBodyLimited(new ReadableStream({ start: (c) => (c.enqueue(chunk), c.close()) }), 10);
    expect(body).toBe(chunk);
  });
  it("joins several chunks in order", async () => {
    expect(text(await readBodyLimited(stream(["ab", "", "cde", "f"]), 10))).toBe("abcdef");
  });
  it("reads a body exactly at the limit", async () => {
    expect(text(await readBodyLimited(stream(["12345", "67890"]), 10))).toBe("1234567890");
  });
  it("refuses one byte over the limit and cancels the stream", async () => {
    let cancelled = false;
    const e = await asyncErrorOf(() =>
      readBodyLimited(
        stream(["12345", "678901"], () => void (cancelled = true)),
        10,
      ),
    );
    expect([e.code, e.message]).toEqual(["RequestEntityTooLarge", "the request body exceeds 10 bytes"]);
    expect(cancelled).toBe(true);
  });
  it("still answers RequestEntityTooLarge when cancelling the stream fails", async () => {
    const e = await asyncErrorOf(() =>
      readBodyLimited(
        stream(["12345678901"], () => Promise.reject(new Error("cancel failed"))),
        10,
      ),
    );
    expect(e.code).toBe("RequestEntityTooLarge");
  });
});
