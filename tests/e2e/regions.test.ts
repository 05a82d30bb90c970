// End to end over the local stack with regions: an owner sets the workspace to Twilio's au1 region
// through the sydney edge with POST update-regions; a message sent through the API then leaves the
// runner for api.sydney.au1.twilio.com, as the Twilio simulator records it, and is delivered; another
// workspace left at the defaults sends through api.twilio.com meanwhile. Back at the defaults, ws_demo
// sends through api.twilio.com again (after the worker's credentials cache expires).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../dev/access-token.ts";
import { seededUsers } from "../support/database.ts";
import { startLocalStack, waitFor, type InProcessRunner, type LocalStack } from "../support/local-stack.ts";

let stack: LocalStack;
let runner: InProcessRunner;
let demoOwner: string;
let otherOwner: string;

const resetRegions = () => stack.sql`
  update public.workspace_settings set twilio_region = null, twilio_edge = null, trigger_region = null
  where workspace_id in ('ws_demo', 'ws_other')`;

beforeAll(async () => {
  stack = await startLocalStack({ callbacks: { statusDelayMs: 20 } });
  await resetRegions();
  runner = await stack.startRunner();
  demoOwner = await signUserToken({ userId: seededUsers.demoOwner.id, email: seededUsers.demoOwner.email });
  otherOwner = await signUserToken({ userId: seededUsers.otherOwner.id, email: seededUsers.otherOwner.email });
}, 60_000);

afterAll(async () => {
  await resetRegions();
  await stack.stop();
});

async function send(token: string, workspaceId: string, to: string): Promise<string> {
  const answer = await stack.api(token, "POST", "send-sms", { workspaceId, to, body: `Region check ${to}` });
  expect(answer.status).toBe(200);
  return String(answer.json.data.jobId);
}

async function delivered(jobId: string): Promise<void> {
  await waitFor(`job ${jobId} delivered`, async () => {
    const [row] = await stack.sql<{ status: string; message_status: string | null }[]>`
      select status, message_status from public.scheduled_sms_jobs where id = ${jobId}`;
    return row?.status === "completed" && row.message_status === "delivered" ? true : undefined;
  });
}

const hostOf = (to: string) => stack.simulator.messages({ to }).map((m) => m.apiHost);

describe("a workspace's Twilio region and edge", () => {
  it("au1 through sydney sends through api.sydney.au1.twilio.com; a default workspace through api.twilio.com", async () => {
    const set = await stack.api(demoOwner, "POST", "update-regions", { workspaceId: "ws_demo", twilioRegion: "au1", twilioEdge: "sydney" });
    expect(set.status).toBe(200);
    expect(set.json.data.twilioApiHost).toBe("api.sydney.au1.twilio.com");

    const regional = await send(demoOwner, "ws_demo", "+61412700001");
    const plain = await send(otherOwner, "ws_other", "+61412700002");
    await Promise.all([delivered(regional), delivered(plain)]);
    expect(hostOf("+61412700001")).toEqual(["api.sydney.au1.twilio.com"]);
    expect(hostOf("+61412700002")).toEqual(["api.twilio.com"]);
    expect(runner.errors).toEqual([]);
  });

  it("back at the defaults, the workspace's next sends go through api.twilio.com again", async () => {
    const reset = await stack.api(demoOwner, "POST", "update-regions", { workspaceId: "ws_demo", twilioRegion: null, twilioEdge: null });
    expect(reset.json.data.twilioApiHost).toBe("api.twilio.com");
    // A fresh runner reads the workspace's account and region anew (a running one re-reads them
    // within its credentials cache, 30 s).
    await runner.stop();
    runner = await stack.startRunner();
    const jobId = await send(demoOwner, "ws_demo", "+61412700003");
    await delivered(jobId);
    expect(hostOf("+61412700003")).toEqual(["api.twilio.com"]);
  });
});
