// The OpenAPI document (openapi/openapi.yaml, generated from the zod contract) as a test oracle:
// every response the tests receive is checked against the schema documented for its path, method
// and status; for a refusal that schema also allows only the codes the route documents for it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { projectRoot } from "../../../dev/local-env.ts";

export const openApiPath = path.join(projectRoot, "openapi/openapi.yaml");

interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }> }>>;
  components: { responses?: Record<string, { content: Record<string, { schema: unknown }> }>; schemas: Record<string, unknown> };
}

export const openApi = parse(readFileSync(openApiPath, "utf8")) as OpenApiDocument;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ components: openApi.components }, "openapi.yaml");

function responseSchema(route: string, method: string, status: number): unknown {
  const operations = openApi.paths[`/${route}`];
  // Unknown endpoints and wrong methods still answer in the documented error envelope.
  if (operations === undefined && status === 404) return { $ref: "#/components/schemas/ErrorResponse" };
  const operation = operations?.[method.toLowerCase()] ??
    (status === 405 && operations !== undefined ? Object.values(operations)[0] : undefined);
  if (operation === undefined) throw new Error(`OpenAPI documents no ${method} /${route}`);
  let response = operation.responses[String(status)];
  if (response === undefined) throw new Error(`OpenAPI documents no ${status} answer for ${method} /${route}`);
  if (response.$ref !== undefined) {
    response = openApi.components.responses?.[response.$ref.split("/").at(-1) ?? ""];
  }
  const schema = response?.content?.["application/json"]?.schema;
  if (schema === undefined) throw new Error(`OpenAPI has no JSON schema for ${status} of ${method} /${route}`);
  return schema;
}

/** Throws unless `body` matches what the document promises for this route, method and status. */
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

export function assertDocumented(route: string, method: string, status: number, body: unknown): void {
  const key = `${method} ${route} ${status}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const schema = JSON.parse(JSON.stringify(responseSchema(route, method, status))
      .replaceAll('"#/components/', '"openapi.yaml#/components/')) as object;
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(`${method} /${route} ${status} does not match openapi.yaml: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
