// The OpenAPI 3.1 document of the HTTP API, built from the contract: the route table
// (supabase/functions/_shared/api-routes.ts) and the zod schemas it names. openapi/openapi.yaml is
// this document as written by `npm run openapi` (dev/generate-openapi.ts); a test fails when the
// committed file differs, so the file is never edited by hand.
//
// Schemas are converted with zod's z.toJSONSchema (JSON Schema 2020-12, as OpenAPI 3.1 uses):
// requests on their input side (what a client sends, before transforms such as E.164
// normalisation), responses on their output side. A schema with a `.meta({ id })` becomes a named
// component; an id used on both sides must convert alike.
import { isDeepStrictEqual } from "node:util";
import { Document, isPair, isScalar, visit } from "yaml";
import { z } from "zod";
import { apiRoutes, type RouteContract } from "../supabase/functions/_shared/api-routes.ts";
import { apiVersion, errorResponseSchema } from "../supabase/functions/_shared/api-types.ts";
import { type ErrorCode, httpStatusOf } from "../supabase/functions/_shared/error-codes.ts";
import { idempotencyKeyHeader, idempotentReplayedHeader } from "../supabase/functions/_shared/idempotency-keys.ts";
import { apiLimits, databaseLimits } from "../supabase/functions/_shared/limits.ts";

type JsonSchema = { [key: string]: unknown };

const componentsPath = "#/components/schemas/";
const refTo = (id: string): JsonSchema => ({ $ref: `${componentsPath}${id}` });

/** What each refusal status means in general; a route's errorNotes may say more. */
const statusMeanings: Record<number, string> = {
  400: "The request is invalid",
  401: "No valid access token",
  403: "Not a member of the workspace, or a role that may not do this",
  404: "Not found",
  405: "Wrong method for the endpoint (see the Allow header)",
  409: "Conflicts with the current state",
  422: `The ${idempotencyKeyHeader} was already used with a different request body`,
  429: "Over the caller's rate limit in the workspace: nothing was done; retry after Retry-After seconds",
  413: `The body is over ${apiLimits.request_body_max_bytes / 1024} KB`,
  415: "The body is not JSON",
  500: "Our fault; quote requestId",
  503: "The database is not reachable",
};

/** Named JSON schemas, collected as the document refers to them. */
class Components {
  readonly schemas = new Map<string, JsonSchema>();

  /** The JSON schema of `schema` for one side of the exchange, named parts moved into the components. */
  convert(schema: z.ZodType, io: "input" | "output"): JsonSchema {
    const converted = z.toJSONSchema(schema, { io, target: "draft-2020-12", override: forOpenApi }) as JsonSchema;
    // zod refers to named parts as #/$defs/<id>; in the document they are components. The
    // dialect ($schema) is the document's own (OpenAPI 3.1 is JSON Schema 2020-12).
    const { $defs, ...root } = JSON.parse(
      JSON.stringify(converted).replaceAll('"#/$defs/', `"${componentsPath}`),
    ) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    delete root.$schema;
    for (const [id, definition] of Object.entries($defs ?? {})) {
      const known = this.schemas.get(id);
      if (known !== undefined && !isDeepStrictEqual(known, definition)) {
        throw new Error(`component ${id} converts differently as request and as response; give each side its own id`);
      }
      this.schemas.set(id, definition);
    }
    return root;
  }

  sorted(): Record<string, JsonSchema> {
    // By code unit, not locale: the file must come out the same on every machine.
    return Object.fromEntries([...this.schemas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/**
 * Adjusts zod's JSON schemas for the document: integers lose the safe-integer bounds zod states
 * for every z.int() (noise to a reader: JSON numbers are doubles anyway), and a discriminated union
 * of named objects gets OpenAPI's discriminator.
 */
function forOpenApi({ zodSchema, jsonSchema }: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  if (jsonSchema.type === "integer") {
    if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
    if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  }
  if (zodSchema instanceof z.core.$ZodDiscriminatedUnion) addDiscriminator(zodSchema, jsonSchema);
}

/** OpenAPI's discriminator for a discriminated union of named objects (JobOrSchedule by kind). */
function addDiscriminator(zodSchema: z.core.$ZodDiscriminatedUnion, jsonSchema: JsonSchema): void {
  const propertyName = zodSchema._zod.def.discriminator;
  const mapping: Record<string, string> = {};
  for (const option of zodSchema._zod.def.options) {
    const id = z.globalRegistry.get(option)?.id;
    const values = option._zod.propValues?.[propertyName];
    if (id === undefined || values === undefined) return;
    for (const value of values) mapping[String(value)] = `${componentsPath}${id}`;
  }
  jsonSchema.discriminator = { propertyName, mapping };
}

function jsonContent(schema: JsonSchema): JsonSchema {
  return { "application/json": { schema } };
}

/** The query string's fields as OpenAPI parameters, each with its own description. */
function queryParameters(query: JsonSchema): JsonSchema[] {
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query.required ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: "query",
    required: required.has(name),
    ...(description === undefined ? {} : { description }),
    schema,
  }));
}

/** The draft-ietf-httpapi-ratelimit-headers fields on every answer of a rate-limited route (but 401); a new object each time (no YAML aliases). */
const rateLimitHeaders = (): Record<string, JsonSchema> => ({
  "RateLimit-Policy": { $ref: "#/components/headers/RateLimit-Policy" },
  "RateLimit": { $ref: "#/components/headers/RateLimit" },
});

/** The RateLimit fields, described once (components.headers). */
const rateLimitHeaderComponents = (): Record<string, JsonSchema> => ({
  "RateLimit-Policy": {
    description: "The caller's budgets in the workspace for this kind of request, e.g. `\"writes\";q=40;w=2` " +
      "(40 at once, refilled within 2 s); schedule-bulk adds `\"bulk-recipients\";q=20000;w=120`. Absent on 401.",
    schema: { type: "string" },
  },
  "RateLimit": {
    description: "What is left of each budget and seconds until it is full again, e.g. `\"writes\";r=39;t=1`",
    schema: { type: "string" },
  },
});

/** One response per refusal status, whose schema allows exactly the codes of that status. */
function errorResponses(contract: RouteContract): Record<string, JsonSchema> {
  const codesByStatus = new Map<number, ErrorCode[]>();
  for (const code of contract.errors) {
    const status = httpStatusOf(code);
    codesByStatus.set(status, [...(codesByStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, codes] of [...codesByStatus.entries()].sort(([a], [b]) => a - b)) {
    const meaning = contract.errorNotes?.[status] ?? statusMeanings[status] ?? "Refused";
    const headers: Record<string, JsonSchema> = {
      ...(codes.includes("idempotency_request_in_progress")
        ? { "Retry-After": { description: "With `idempotency_request_in_progress`: seconds to wait before retrying", schema: { type: "integer" } } }
        : {}),
      ...(codes.includes("rate_limited")
        ? { "Retry-After": { description: "Whole seconds until the request would fit the budget; it is always safe to retry then", schema: { type: "integer" } } }
        : {}),
      ...(contract.auth === "required" && status !== 401 ? rateLimitHeaders() : {}),
    };
    responses[String(status)] = {
      description: `${meaning}: ${codes.map((code) => `\`${code}\``).join(", ")}`,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: jsonContent({
        allOf: [refTo("ErrorResponse"), { properties: { error: { properties: { code: { enum: codes } } } } }],
      }),
    };
  }
  return responses;
}

/** The Idempotency-Key header of a "keyed" POST route (_shared/idempotency-keys.ts); a new object each time (no YAML aliases). */
const idempotencyKeyParameter = (): JsonSchema => ({
  name: idempotencyKeyHeader,
  in: "header",
  required: false,
  description: `Makes retrying safe: the first answer (200) is kept ${databaseLimits.idempotency_key_retention_hours} h ` +
    "for this workspace and route, and a request with the same key and the same body gets it again, byte for byte, " +
    `with \`${idempotentReplayedHeader}: true\`, creating nothing. The same key with another body answers 422 ` +
    "`idempotency_key_reused`; while the first request still runs, 409 `idempotency_request_in_progress` with " +
    "`Retry-After` (seconds). Refusals and failures are not kept: a retry runs afresh. Only a member who may write " +
    "in the workspace gets a replay.",
  schema: { type: "string", minLength: 1, maxLength: databaseLimits.idempotency_key_max_chars, pattern: "^[\\x20-\\x7E]+$" },
});

/** Headers of a 200 answer that a client may need. */
function successHeaders(contract: RouteContract): JsonSchema {
  const headers: Record<string, JsonSchema> = {
    ...(contract.idempotency === "keyed"
      ? {
        [idempotentReplayedHeader]: {
          description: `\`true\` when this is the stored first answer of the ${idempotencyKeyHeader}, sent again`,
          schema: { type: "string", enum: ["true"] },
        },
      }
      : {}),
    ...(contract.auth === "required" ? rateLimitHeaders() : {}),
  };
  return Object.keys(headers).length > 0 ? { headers } : {};
}

function operation(contract: RouteContract, components: Components): JsonSchema {
  const request = contract.request?.(Date.now);
  const input = request === undefined ? undefined : components.convert(request, "input");
  return {
    summary: contract.summary,
    ...(contract.description === undefined ? {} : { description: contract.description }),
    ...(contract.auth === "none" ? { security: [] } : {}),
    ...(input !== undefined && contract.method === "GET" ? { parameters: queryParameters(input) } : {}),
    ...(contract.idempotency === "keyed" ? { parameters: [idempotencyKeyParameter()] } : {}),
    ...(input !== undefined && contract.method === "POST" ? { requestBody: { required: true, content: jsonContent(input) } } : {}),
    responses: {
      "200": {
        description: contract.responseDescription,
        ...successHeaders(contract),
        content: jsonContent(components.convert(contract.response, "output")),
      },
      ...errorResponses(contract),
    },
  };
}

export function buildOpenApiDocument(): JsonSchema {
  const components = new Components();
  components.convert(errorResponseSchema, "output");
  const routes: [string, RouteContract][] = Object.entries(apiRoutes);
  const paths = Object.fromEntries(routes.map(([name, contract]) =>
    [`/${name}`, { [contract.method.toLowerCase()]: operation(contract, components) }]));
  return {
    openapi: "3.1.0",
    info: {
      title: "SMS scheduler API",
      version: apiVersion,
      description: "Send SMS/MMS now, after a delay, at a time or on a recurring cron schedule; cancel, pause and " +
        "resume; check status. Served by the `trigger` Edge Function at `<project>/functions/v1/trigger/<route>` and " +
        "locally also at `http://localhost:3000/api/trigger/<route>`. Every answer is `{success, data}` or " +
        "`{success: false, error: {code, message, details?, requestId?}}`; every answer carries an `X-Request-Id` " +
        "header; an unknown endpoint answers 404 `not_found`. Times are ISO-8601 with the workspace timezone's offset.",
    },
    servers: [
      { url: "http://localhost:54321/functions/v1/trigger", description: "local, Supabase URL shape" },
      { url: "http://localhost:3000/api/trigger", description: "local, the spec's paths" },
    ],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Supabase access token (HS256 with the project's JWT secret, or the project's asymmetric " +
            "signing keys) or the service-role key.",
        },
      },
      headers: rateLimitHeaderComponents(),
      schemas: components.sorted(),
    },
  };
}

/**
 * openapi/openapi.yaml as `npm run openapi` writes it, compact where block style says little:
 * lists of values, lone $refs and the parts of an allOf on one line each (lines are not folded).
 */
export function renderOpenApiYaml(): string {
  const document = new Document(buildOpenApiDocument());
  visit(document, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
    Map(_, node, path) {
      const [only] = node.items;
      const holder = path.at(-2);
      const inAllOf = isPair(holder) && isScalar(holder.key) && holder.key.value === "allOf";
      if (inAllOf || (node.items.length === 1 && isScalar(only?.key) && only.key.value === "$ref")) node.flow = true;
    },
  });
  return "# Generated by `npm run openapi` from the zod contract (supabase/functions/_shared/api-routes.ts,\n" +
    "# api-schemas.ts, api-types.ts). Do not edit: change the schemas and run it again.\n" +
    document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
