// Supabase's database linter (splinter: the Security and Performance Advisors that Studio shows),
// run by the pinned supabase CLI against the test database with the migrations applied.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../dev/local-env.ts";
import { databaseUrl } from "../support/database.ts";

interface Advice {
  name: string;
  level: "INFO" | "WARN" | "ERROR";
  detail: string;
}

function advisors(): Advice[] {
  const result = spawnSync(path.join(projectRoot, "node_modules/.bin/supabase"), [
    "db", "advisors", "--db-url", `${databaseUrl()}?sslmode=disable`, "--type", "all", "--level", "info", "-o", "json",
  ], { cwd: projectRoot, encoding: "utf8", env: { ...process.env, DO_NOT_TRACK: "1", SUPABASE_TELEMETRY_DISABLED: "1" } });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Advice[];
}

describe("database advisors", () => {
  const advice = advisors();

  it("report nothing at WARN or ERROR level", () => {
    expect(advice.filter((a) => a.level !== "INFO").map((a) => `${a.level} ${a.name}: ${a.detail}`)).toEqual([]);
  });

  it("find no foreign key without a covering index", () => {
    expect(advice.filter((a) => a.name === "unindexed_foreign_keys").map((a) => a.detail)).toEqual([]);
  });

  it("lint our schema (not vacuous): they note the deliberate deny-all RLS of private.api_rate_buckets, private.idempotency_keys and private.twilio_accounts at INFO", () => {
    // All are read only by the API and the workers as the owner; RLS without a policy is there so
    // that a grant made by mistake would still show nothing (20261130000400_idempotency_keys.sql,
    // 20261130000900_api_rate_limits.sql).
    expect(advice.filter((a) => a.name === "rls_enabled_no_policy").map((a) => a.detail).sort())
      .toEqual([expect.stringContaining("private.api_rate_buckets"), expect.stringContaining("private.idempotency_keys"),
        expect.stringContaining("private.twilio_accounts")]);
  });
});
