// openapi.yaml, generated from the action registry: the same zod schemas that validate requests
// describe them here. `npm run openapi` writes it; `npm run openapi:check` and a test catch drift.
import { z } from "zod";
import { stringify } from "yaml";
import type { AnyAction } from "../core/action.js";
import { API_VERSION, SERVICE_NAME } from "./gateway/envelope.js";
import { errorExamples, errorResponses } from "./openapi-errors.js";

const metadataSchema = {
  type: "object",
  required: ["RequestId", "Action", "Version", "Service", "Region"],
  properties: {
    RequestId: { type: "string", pattern: "^[0-9]{14}[0-9A-F]{18}$" },
    Action: { type: "string" },
    Version: { type: "string", const: API_VERSION },
    Service: { type: "string", const: SERVICE_NAME },
    Region: { type: "string" },
    Error: {
      type: "object",
      required: ["Code", "Message"],
      properties: { CodeN: { type: "integer" }, Code: { type: "string" }, Message: { type: "string" } },
    },
  },
};

/**
 * The JSON Schema of a zod schema, stored as components/schemas[name]. A recursive part (the custom
 * attribute filter's groups) comes out of zod as a local `$defs` entry referenced as `#/$defs/...`,
 * which in the OpenAPI document would point at its root: such entries become components of their own
 * (`<name>_<def>`) and the references are rewritten to them.
 */
function addJsonSchema(schemas: Record<string, unknown>, name: string, schema: z.ZodType, io: "input" | "output"): void {
  const { $schema: _ignored, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  const defs = ($defs ?? {}) as Record<string, unknown>;
  const componentOf = (def: string) => `${name}_${def.replace(/^_+/, "")}`;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) =>
        k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")
          ? [k, `#/components/schemas/${componentOf(v.slice("#/$defs/".length))}`]
          : [k, rewrite(v)],
      ),
    );
  };
  schemas[name] = rewrite(rest);
  for (const [def, body] of Object.entries(defs)) schemas[componentOf(def)] = rewrite(body);
}

export function buildOpenApi(registry: ReadonlyMap<string, AnyAction>) {
  const paths: Record<string, unknown> = {};
  const responses: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {
    ResponseMetadata: metadataSchema,
    ErrorEnvelope: {
      type: "object",
      required: ["ResponseMetadata"],
      properties: { ResponseMetadata: { allOf: [{ $ref: "#/components/schemas/ResponseMetadata" }, { required: ["Error"] }] } },
    },
  };
  for (const action of [...registry.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    addJsonSchema(schemas, `${action.name}Request`, action.input, "input");
    addJsonSchema(schemas, `${action.name}Result`, action.output, "output");
    paths[`/?Action=${action.name}&Version=${API_VERSION}`] = {
      post: {
        operationId: action.name,
        summary: action.summary,
        description: action.access === "read" ? "Open to admin and readonly keys." : "Needs an admin key.",
        security: [{ VolcengineHmacSha256: [] }],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: `#/components/schemas/${action.name}Request` } } },
        },
        responses: {
          "200": {
            description: "Success envelope",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["ResponseMetadata", "Result"],
                  properties: {
                    ResponseMetadata: { $ref: "#/components/schemas/ResponseMetadata" },
                    Result: { $ref: `#/components/schemas/${action.name}Result` },
                  },
                },
              },
            },
          },
          ...errorResponses(action, responses),
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "idplane identity control plane",
      version: API_VERSION,
      description: `Volcengine OpenAPI protocol, service "${SERVICE_NAME}". Every call is POST (or GET) /?Action=<Action>&Version=${API_VERSION}, signed with HMAC-SHA256.`,
    },
    paths,
    components: {
      schemas,
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
      examples: errorExamples(),
      securitySchemes: {
        VolcengineHmacSha256: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "HMAC-SHA256 Credential=<AK>/<YYYYMMDD>/<region>/id/request, SignedHeaders=..., Signature=...",
        },
      },
    },
  };
}

export function renderOpenApi(registry: ReadonlyMap<string, AnyAction>): string {
  return stringify(buildOpenApi(registry), { lineWidth: 0 });
}
