// Regions over the API (issue 15): GET regions shows a workspace's Twilio region and edge, its
// Trigger.dev region, the Twilio host its sends go to, the defaults and the values allowed; owners,
// admins and the service role change them with POST update-regions (only the fields named; null
// restores a default); members cannot; a value that is not allowed is 400 invalid_region naming the
// field, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { twilioEdges, twilioRegions } from "../../supabase/functions/_shared/regions.ts";
import { connect } from "../support/database.ts";
import { type ApiServer, call, startApiServer, tokens } from "./support/api-server.ts";

const sql = connect();
let api: ApiServer;
let owner: string;
let member: string;
let viewer: string;
let otherOwner: string;
let service: string;

const reset = () => sql`
  update public.workspace_settings set twilio_region = null, twilio_edge = null, trigger_region = null
  where workspace_id in ('ws_demo', 'ws_other')`;

beforeAll(async () => {
  api = await startApiServer();
  [owner, member, viewer, otherOwner, service] = await Promise.all([
    tokens.owner(), tokens.member(), tokens.viewer(), tokens.otherOwner(), tokens.service()]);
  await reset();
});
afterAll(async () => {
  await reset();
  await api.stop();
  await sql.end();
});

const get = (token = owner, workspaceId = "ws_demo") => call(api.baseUrls.spec, "regions", { token, query: { workspaceId } });
const post = (json: Record<string, unknown>, token = owner) =>
  call(api.baseUrls.spec, "update-regions", { token, json: { workspaceId: "ws_demo", ...json } });
const stored = async () => (await sql<{ twilio_region: string | null; twilio_edge: string | null; trigger_region: string | null }[]>`
  select twilio_region, twilio_edge, trigger_region from public.workspace_settings where workspace_id = 'ws_demo'`)[0];

describe("GET regions", () => {
  it("shows the defaults, the Twilio host and the values allowed, to any member", async () => {
    const answer = await get(viewer);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({
      workspaceId: "ws_demo",
      twilioRegion: null,
      twilioEdge: null,
      triggerRegion: null,
      twilioApiHost: "api.twilio.com",
      defaults: { twilioRegion: "us1", twilioEdge: null, triggerRegion: null },
      allowed: {
        twilioRegions: [...twilioRegions],
        twilioEdges: [...twilioEdges],
        triggerRegionPattern: "^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$",
        triggerRegionMaxChars: 64,
      },
    });
  });

  it("is refused for another workspace's owner", async () => {
    expect((await get(otherOwner)).body.error?.code).toBe("forbidden");
  });
});

describe("POST update-regions", () => {
  it("an owner sets au1 through sydney and a Trigger.dev region; GET shows them and the host", async () => {
    const set = await post({ twilioRegion: "au1", twilioEdge: "sydney", triggerRegion: "ap-southeast-2" });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({
      twilioRegion: "au1", twilioEdge: "sydney", triggerRegion: "ap-southeast-2", twilioApiHost: "api.sydney.au1.twilio.com",
    });
    expect((await get(viewer)).body.data).toMatchObject({ twilioRegion: "au1", twilioEdge: "sydney", triggerRegion: "ap-southeast-2" });
  });

  it("changes only the fields named; null restores a default", async () => {
    await post({ twilioRegion: "ie1", twilioEdge: "dublin", triggerRegion: "eu-central-1" });
    const onlyTrigger = await post({ triggerRegion: null });
    expect(onlyTrigger.body.data).toMatchObject({ twilioRegion: "ie1", twilioEdge: "dublin", triggerRegion: null });
    const nothing = await post({});
    expect(nothing.status).toBe(200);
    expect(nothing.body.data).toMatchObject({ twilioRegion: "ie1", twilioEdge: "dublin", twilioApiHost: "api.dublin.ie1.twilio.com" });
    const defaults = await post({ twilioRegion: null, twilioEdge: null });
    expect(defaults.body.data).toMatchObject({ twilioRegion: null, twilioEdge: null, twilioApiHost: "api.twilio.com" });
    expect(await stored()).toEqual({ twilio_region: null, twilio_edge: null, trigger_region: null });
  });

  it("an edge alone routes to us1 through it; the service role may change them too", async () => {
    const edgeOnly = await post({ twilioEdge: "frankfurt" }, service);
    expect(edgeOnly.status).toBe(200);
    expect(edgeOnly.body.data).toMatchObject({ twilioRegion: null, twilioEdge: "frankfurt", twilioApiHost: "api.frankfurt.us1.twilio.com" });
    await post({ twilioEdge: null });
  });

  it("members, viewers and other workspaces' owners are refused, and nothing changes", async () => {
    for (const token of [member, viewer, otherOwner]) {
      const answer = await post({ twilioRegion: "au1", twilioEdge: "sydney" }, token);
      expect(answer.status).toBe(403);
      expect(answer.body.error?.code).toBe("forbidden");
    }
    expect(await stored()).toEqual({ twilio_region: null, twilio_edge: null, trigger_region: null });
  });

  it.each([
    [{ twilioRegion: "eu1", twilioEdge: "frankfurt" }, "twilioRegion"],
    [{ twilioEdge: "melbourne" }, "twilioEdge"],
    [{ twilioRegion: "au1" }, "twilioEdge"],
    [{ twilioRegion: "ie1", twilioEdge: null }, "twilioEdge"],
    [{ triggerRegion: "EU Central" }, "triggerRegion"],
    [{ triggerRegion: "a".repeat(65) }, "triggerRegion"],
  ])("%o is 400 invalid_region naming %s, and changes nothing", async (body, field) => {
    await post({ triggerRegion: "us-east-1" });
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe("invalid_region");
    expect(answer.body.error?.details?.fields?.map((f) => f.field)).toEqual([field]);
    expect(await stored()).toEqual({ twilio_region: null, twilio_edge: null, trigger_region: "us-east-1" });
    await post({ triggerRegion: null });
  });

  it("the region without an edge says why: Twilio no longer answers on api.au1.twilio.com", async () => {
    const answer = await post({ twilioRegion: "au1" });
    expect(answer.body.error?.message).toContain("needs an edge");
    expect(answer.body.error?.message).toContain("api.au1.twilio.com");
  });

  it("a value of the wrong type or too long to be any region is validation_failed", async () => {
    expect((await post({ twilioRegion: 1 })).body.error?.code).toBe("validation_failed");
    expect((await post({ twilioEdge: "" })).body.error?.code).toBe("validation_failed");
    expect((await post({ triggerRegion: "x".repeat(101) })).body.error?.code).toBe("validation_failed");
    expect((await post({ region: "au1" })).body.error?.code).toBe("validation_failed");
  });
});
