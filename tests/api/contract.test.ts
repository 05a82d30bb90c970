// The OpenAPI document is what the zod contract generates, is valid, and agrees with the code on
// versions and error codes; a failure inside the API answers 5xx with a request id and is logged
// as one JSON line.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiVersion } from "../../supabase/functions/_shared/api-types.ts";
import { apiRoutes } from "../../supabase/functions/_shared/api-routes.ts";
import { apiErrorCodes, databaseErrorCodes, httpStatusOf } from "../../supabase/functions/_shared/error-codes.ts";
import { type ApiServer, call, startApiServer } from "./support/api-server.ts";
import { renderOpenApiYaml } from "../../openapi/document.ts";
import { openApi, openApiPath } from "./support/openapi.ts";

describe("OpenAPI document", () => {
  it("is exactly what `npm run openapi` generates from the zod contract (never edited by hand)", () => {
    expect(readFileSync(openApiPath, "utf8"), "openapi/openapi.yaml is stale: run `npm run openapi`").toBe(renderOpenApiYaml());
  });

  it("documents every route of the contract, each error status with exactly the codes of that status", () => {
    for (const [name, contract] of Object.entries(apiRoutes)) {
      const operation = openApi.paths[`/${name}`]?.[contract.method.toLowerCase()];
      expect(operation, name).toBeDefined();
      const statuses = Object.keys(operation?.responses ?? {}).map(Number).filter((status) => status !== 200).sort();
      expect(statuses, name).toEqual([...new Set(contract.errors.map(httpStatusOf))].sort());
    }
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(openApiPath);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("documents the API's version and every error code the API can answer", () => {
    expect(openApi.info.version).toBe(apiVersion);
    const schemas = openApi.components.schemas as { ErrorResponse: { properties: { error: { properties: { code: { enum: string[] } } } } } };
    expect([...schemas.ErrorResponse.properties.error.properties.code.enum].sort())
      .toEqual([...Object.keys(apiErrorCodes), ...Object.keys(databaseErrorCodes)].sort());
  });
});

describe("server failures", () => {
  let broken: ApiServer;
  beforeAll(async () => {
    // A database that does not answer: port 9 (discard) on loopback has no PostgreSQL.
    broken = await startApiServer({ SUPABASE_DB_URL: "postgresql://postgres:secret-password@127.0.0.1:9/postgres" });
  });
  afterAll(() => broken.stop());

  it("answer 5xx with a request id, log it as one JSON line, and leak nothing", async () => {
    const answer = await call(broken.baseUrls.spec, "health");
    expect(answer.status).toBe(503);
    const requestId = answer.body.error?.requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers.get("x-request-id")).toBe(requestId);
    expect(JSON.stringify(answer.body)).not.toMatch(/secret-password|ECONNREFUSED|at \w|postgres/i);
    await expect.poll(() => broken.server.stderr()).toContain(requestId);
    const line = broken.server.stderr().split("\n").find((l) => l.includes(String(requestId)));
    expect(JSON.parse(String(line))).toMatchObject({ level: "error", requestId, status: 503, path: "/api/trigger/health" });
  });
});
