// Generated invalid requests to GET regions and POST update-regions: a valid request with one field
// replaced by a bad value, an unknown field added or workspaceId dropped; bad tokens and foreign
// workspaces. Each answers a documented 4xx in the error envelope and leaves the database (and the
// workspace's settings) exactly as they were.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, call, type CallOptions, startApiServer, tokens } from "../api/support/api-server.ts";
import { connect } from "../support/database.ts";
import {
  applyMutation, checkParameters, databaseChecksum, expectDocumentedRefusal, invalidWorkspaceId, logSeed,
  mutationOf, poisonCharacters, RequestCounter, sqlLooking, unknownFieldName,
} from "./support.ts";

const sql = connect();
const counter = new RequestCounter();
let api: ApiServer;
let owner: string;

beforeAll(async () => {
  logSeed("regions");
  api = await startApiServer();
  owner = await tokens.owner();
  await sql`update public.workspace_settings set twilio_region = 'au1', twilio_edge = 'sydney', trigger_region = 'ap-southeast-2'
    where workspace_id = 'ws_demo'`;
});

afterAll(async () => {
  const counts = counter.report("regions endpoints");
  await sql`update public.workspace_settings set twilio_region = null, twilio_edge = null, trigger_region = null
    where workspace_id = 'ws_demo'`;
  await api.stop();
  await sql.end();
  expect(Object.keys(counts).sort()).toEqual(["regions", "update-regions"]);
});

async function settingsChecksum(): Promise<string> {
  const [row] = await sql<{ sum: string }[]>`
    select coalesce(sum(hashtextextended(t::text, 0)), 0)::text as sum from public.workspace_settings t`;
  return row?.sum ?? "";
}

async function refuse(route: string, options: CallOptions, context: unknown): Promise<void> {
  counter.add(route);
  const before = [await databaseChecksum(sql), await settingsChecksum()];
  const answer = await call(api.baseUrls.spec, route, { token: owner, ...options });
  expectDocumentedRefusal(answer, { route, context });
  expect([await databaseChecksum(sql), await settingsChecksum()], JSON.stringify({ route, context })).toEqual(before);
}

/** Not a region Twilio has, or not a string at all. */
const badTwilioRegion: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>("", "eu1", "US1", "au1 ", " au1", "au-1", "us2", "de1", "sydney", "gll", "au1\u0000", 1, true, [], {}, ["au1"],
    "x".repeat(101), ...sqlLooking),
  fc.string({ maxLength: 12 }).filter((s) => !["us1", "ie1", "au1"].includes(s)),
);
/** Not a public edge Twilio has. */
const badTwilioEdge: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>("", "melbourne", "Sydney", "sydney-ix", "au1", "sydney ", "sao paulo", 0, false, {}, ["sydney"],
    ...poisonCharacters.map((c) => `sydney${c}`), ...sqlLooking),
  fc.string({ maxLength: 12 }).filter((s) => !["ashburn", "dublin", "frankfurt", "sao-paulo", "singapore", "sydney", "tokyo", "umatilla", "roaming"].includes(s)),
);
/** Not a Trigger.dev region id. */
const badTriggerRegion: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>("", "EU", "eu central", "-eu", "eu-", "eu.central", "é", "a".repeat(65), "a".repeat(101), 7, [], {},
    ...poisonCharacters.map((c) => `eu${c}`), ...sqlLooking),
  fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/.test(s)),
);

describe("update-regions", () => {
  it("one bad field, an unknown field or a missing workspaceId", async () => {
    const valid = { workspaceId: "ws_demo", twilioRegion: "ie1", twilioEdge: "dublin", triggerRegion: "eu-central-1" };
    const mutation = mutationOf({
      workspaceId: invalidWorkspaceId, twilioRegion: badTwilioRegion, twilioEdge: badTwilioEdge, triggerRegion: badTriggerRegion,
    }, ["workspaceId"]);
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      await refuse("update-regions", { json: applyMutation(valid, m) }, m);
    }), checkParameters(120));
  });

  it("a region other than us1 without an edge, alone or with the edge cleared", async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom("ie1", "au1"), fc.boolean(), async (region, clearEdge) => {
      const json = { workspaceId: "ws_demo", twilioRegion: region, ...(clearEdge ? { twilioEdge: null } : {}) };
      if (!clearEdge) await sql`update public.workspace_settings set twilio_edge = null, twilio_region = null where workspace_id = 'ws_demo'`;
      await refuse("update-regions", { json }, json);
      await sql`update public.workspace_settings set twilio_region = 'au1', twilio_edge = 'sydney' where workspace_id = 'ws_demo'`;
    }), checkParameters(8));
  });

  it("bad tokens, a member, another workspace", async () => {
    const [member, otherOwner] = await Promise.all([tokens.member(), tokens.otherOwner()]);
    const cases = fc.constantFrom<[string | null, string]>(
      [null, "ws_demo"], ["", "ws_demo"], ["x.y.z", "ws_demo"], [member, "ws_demo"], [otherOwner, "ws_demo"], [owner, "ws_other"],
      [owner, "ws_nonexistent"]);
    await fc.assert(fc.asyncProperty(cases, async ([token, workspaceId]) => {
      const json = { workspaceId, twilioRegion: null, twilioEdge: null };
      await refuse("update-regions", { json, token }, { json, token: token === null ? null : token.slice(0, 8) });
    }), checkParameters(14));
  });
});

describe("regions", () => {
  it("bad, unknown, missing and foreign workspace parameters", async () => {
    const query = fc.oneof(
      invalidWorkspaceId.filter((v): v is string => typeof v === "string").map((v): [string, string][] => [["workspaceId", v]]),
      fc.constantFrom<[string, string][]>([], [["workspaceId", "ws_other"]], [["workspaceId", "ws_demo"], ["workspaceId", "ws_demo"]]),
      fc.tuple(unknownFieldName, fc.string({ maxLength: 8 })).map(([k, v]): [string, string][] => [["workspaceId", "ws_demo"], [k, v]]),
    );
    await fc.assert(fc.asyncProperty(query, async (q) => {
      await refuse("regions", { query: q }, q);
    }), checkParameters(40));
  });
});
