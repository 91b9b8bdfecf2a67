// Validates the generated document with a real OpenAPI 3.1 validator: the document against the
// specification's schema, and every $ref resolved. Freshness alone let 8 references to the document
// root (`#/$defs/...`) ship in openapi.yaml (issue 22). Used by `npm run openapi(:check)` and by
// test/openapi.test.ts, which CI runs.
import { Validator } from "@seriousme/openapi-schema-validator";
import { parse } from "yaml";

/** undefined when valid, else what is wrong, as the validator says it. */
export async function openApiProblems(yamlText: string): Promise<string | undefined> {
  const result = await new Validator().validate(parse(yamlText) as Parameters<Validator["validate"]>[0]);
  return result.valid ? undefined : JSON.stringify(result.errors, null, 2).slice(0, 4000);
}
