// supabase/config.toml as hosted Supabase reads it on deploy: every function authenticates its
// callers itself (the API verifies access tokens and serves GET health without one; Twilio signs
// status callbacks and incoming-message webhooks), so the gateway's own JWT check must be off for each of them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../dev/local-env.ts";

const config = readFileSync(path.join(projectRoot, "supabase/config.toml"), "utf8");
const functionNames = readdirSync(path.join(projectRoot, "supabase/functions"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith("_") && !entry.name.startsWith("."))
  .map((entry) => entry.name);

/** The key = value lines of one [section] of a TOML file (enough for config.toml's flat sections). */
function section(name: string): Record<string, string> | undefined {
  const lines = config.split("\n");
  const start = lines.findIndex((line) => line.trim() === `[${name}]`);
  if (start === -1) return undefined;
  const entries: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith("[")) break;
    const match = /^\s*([A-Za-z_]+)\s*=\s*(.+?)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries[match[1]] = match[2];
  }
  return entries;
}

describe("supabase/config.toml", () => {
  it("names the project's functions (the check below is not vacuous)", () => {
    expect(functionNames.sort()).toEqual(["trigger", "twilio-inbound", "twilio-status"]);
  });

  it.each(functionNames)("turns the gateway's JWT check off for %s, which authenticates callers itself", (name) => {
    expect(section(`functions.${name}`)).toMatchObject({ verify_jwt: "false" });
  });
});
