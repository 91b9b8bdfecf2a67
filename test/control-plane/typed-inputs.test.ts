// Service inputs are typed from the action schemas (z.output<typeof ...>) and each partial update
// maps every field to a rule (src/core/patch.ts), so a schema field the service does not handle is a
// type error, not a parameter the API accepts, documents and silently drops. Proven by compiling a
// fixture that adds such a field: it must fail, naming that field, and only that.
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, it } from "vitest";

it("a schema field without a rule in the service fails the type check", () => {
  const fixture = fileURLToPath(new URL("../fixtures/type-errors/unhandled-field.ts", import.meta.url));
  const program = ts.createProgram([fixture], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ["node"],
    skipLibCheck: true,
    noEmit: true,
  });
  const messages = ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? d.file.fileName.split("/").pop() : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  expect(messages).toHaveLength(3);
  expect(messages.every((m) => m.startsWith("unhandled-field.ts"))).toBe(true);
  expect(messages[0]).toMatch(/NewPoolField/);
  expect(messages[1]).toMatch(/NewConnectionField/);
  expect(messages[2]).toMatch(/NewUserField/);
}, 240_000);
