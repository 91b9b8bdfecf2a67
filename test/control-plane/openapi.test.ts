// openapi.yaml is generated from the action registry and must be committed fresh; it lists per
// operation the error codes the action declares and the ones the gateway answers for any action.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { openApiProblems } from "../../scripts/openapi-validate.js";
import { actions } from "../../src/control-plane/registry.js";
import { renderOpenApi } from "../../src/control-plane/openapi.js";
import { errorCatalog } from "../../src/core/errors.js";

describe("openapi.yaml", () => {
  it("is current with the registry (run `npm run openapi` when this fails)", () => {
    expect(readFileSync(new URL("../../openapi.yaml", import.meta.url), "utf8")).toBe(renderOpenApi(actions));
  });
  it("is a valid OpenAPI 3.1 document in which every $ref resolves", async () => {
    expect(await openApiProblems(readFileSync(new URL("../../openapi.yaml", import.meta.url), "utf8"))).toBeUndefined();
  });
  it("keeps recursive schemas under components/schemas, never at the document root", () => {
    const text = renderOpenApi(actions);
    expect(text).not.toContain("#/$defs/");
    expect(parse(text).components.schemas.ListUsersRequest_schema0.properties.Groups.items.$ref).toBe(
      "#/components/schemas/ListUsersRequest_schema0",
    );
  });
  it("describes every action with its request and result schemas", () => {
    const doc = parse(renderOpenApi(actions));
    for (const name of actions.keys()) {
      expect(doc.paths[`/?Action=${name}&Version=2025-10-30`].post.operationId).toBe(name);
      expect(doc.components.schemas[`${name}Request`].type).toBe("object");
      expect(doc.components.schemas[`${name}Result`]).toBeTruthy();
    }
  });
  it("lists per operation the error codes it can answer, under their HTTP status", () => {
    const doc = parse(readFileSync(new URL("../../openapi.yaml", import.meta.url), "utf8"));
    const gateway = [
      "InvalidRequest",
      "MissingParameter",
      "InvalidParameter",
      "InvalidAuthorization",
      "MissingAuthenticationToken",
      "SignatureNotMatch",
      "InvalidTimestamp",
      "InvalidAccessKeyId",
      "RequestEntityTooLarge",
      "Throttling",
      "InternalError",
      "ServiceUnavailable",
    ];
    for (const action of actions.values()) {
      for (const code of action.errors) expect(Object.keys(errorCatalog), `${action.name} declares ${code}`).toContain(code);
      const responses = doc.paths[`/?Action=${action.name}&Version=2025-10-30`].post.responses;
      const listed = new Map<string, string>();
      for (const [status, ref] of Object.entries<{ $ref: string }>(responses)) {
        if (status === "200") continue;
        const r = doc.components.responses[ref.$ref.replace("#/components/responses/", "")];
        for (const code of Object.keys(r.content["application/json"].examples)) {
          listed.set(code, status);
          expect(doc.components.examples[`Error${code}`], code).toBeTruthy();
          expect(r.description, `${action.name} ${status}`).toContain(code);
        }
      }
      const expected = [...action.errors, ...gateway, ...(action.access === "write" ? ["AccessDenied"] : [])];
      expect([...listed.keys()].sort(), action.name).toEqual([...new Set(expected)].sort());
      for (const [code, status] of listed)
        expect(status, `${action.name} ${code}`).toBe(String(errorCatalog[code as keyof typeof errorCatalog].status));
    }
  });
  it("gives each catalog code an example envelope with its status and CodeN", () => {
    const examples = parse(renderOpenApi(actions)).components.examples;
    for (const [code, { status, codeN }] of Object.entries(errorCatalog)) {
      const error = examples[`Error${code}`].value.ResponseMetadata.Error;
      expect(examples[`Error${code}`].summary).toBe(`${status} ${code}`);
      expect(error.Code).toBe(code);
      expect(error.CodeN).toBe(codeN);
    }
  });
});
