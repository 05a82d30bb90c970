// 'trigger' mode with regions: a workspace with a Trigger.dev region sends its runs there
// (options.region of each batch item), one without leaves the choice to the project's default.
// Every body is checked against @trigger.dev/core's BatchTriggerTaskV3RequestBody (queuedRequests).
import { afterAll, describe, expect, it } from "vitest";
import { BatchTriggerTaskV3RequestBody } from "@trigger.dev/core/v3/schemas";
import { sendSmsTaskId } from "../../delivery/send-sms-task.ts";
import { connect, type TransactionSql } from "../support/database.ts";
import { allItems, expectedIdempotencyKey, lastRequestId, queuedRequests, rolledBack, useTriggerMode } from "./support.ts";

const sql = connect();
afterAll(() => sql.end());

async function insertJob(tx: TransactionSql, workspace: string): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
    values (${workspace}, '+61412345678', 'Your appointment is tomorrow') returning id`;
  if (!row) throw new Error("insert returned nothing");
  return row.id;
}

describe("the Trigger.dev region in the batch trigger body", () => {
  it("a workspace's region is each of its items' options.region; the body is valid for Trigger.dev", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      await tx`update public.workspace_settings set trigger_region = 'eu-central-1' where workspace_id = 'ws_demo'`;
      const before = await lastRequestId(tx);
      const id = await insertJob(tx, "ws_demo");
      const requests = await queuedRequests(tx, before);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.items).toEqual([{
        task: sendSmsTaskId,
        payload: { jobId: id },
        options: {
          payloadType: "application/json",
          idempotencyKey: expectedIdempotencyKey(id, 1, 1),
          concurrencyKey: "ws_demo",
          tags: ["workspace:ws_demo"],
          region: "eu-central-1",
        },
      }]);
      // What the SDK's schema makes of it: the region survives parsing (queuedRequests also checks nothing is dropped).
      const parsed = BatchTriggerTaskV3RequestBody.parse({ items: requests[0]?.items });
      expect(parsed.items[0]?.options?.region).toBe("eu-central-1");
    });
  });

  it("a workspace without one sends no region (the project's default), in the same request as one with", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      await tx`update public.workspace_settings set trigger_region = 'us-east-1' where workspace_id = 'ws_demo'`;
      await tx`update public.workspace_settings set trigger_region = null where workspace_id = 'ws_other'`;
      const before = await lastRequestId(tx);
      await tx`
        insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
        values ('ws_other', '+61412345678', 'first'), ('ws_demo', '+61412345679', 'second')`;
      const items = allItems(await queuedRequests(tx, before));
      expect(items.map((item) => [item.options.concurrencyKey, item.options.region ?? null]).sort())
        .toEqual([["ws_demo", "us-east-1"], ["ws_other", null]]);
      expect(items.find((item) => item.options.concurrencyKey === "ws_other")?.options).not.toHaveProperty("region");
    });
  });

  it("a changed region applies to the next dispatch: the sweep's re-dispatch of a lost run goes to the new region", async () => {
    await rolledBack(sql, async (tx) => {
      await useTriggerMode(tx);
      const first = await lastRequestId(tx);
      const id = await insertJob(tx, "ws_demo");
      expect(allItems(await queuedRequests(tx, first)).map((item) => item.options.region ?? null)).toEqual([null]);
      await tx`update public.workspace_settings set trigger_region = 'eu-central-1' where workspace_id = 'ws_demo'`;
      // The run never claimed the job: past the grace period the sweep dispatches it again.
      await tx`update public.scheduled_sms_jobs set next_attempt_at = now() - interval '1 hour', dispatched_at = now() - interval '1 hour' where id = ${id}`;
      const second = await lastRequestId(tx);
      await tx`select * from private.dispatch_sweep()`;
      const items = allItems(await queuedRequests(tx, second));
      expect(items.map((item) => [item.payload.jobId, item.options.region])).toEqual([[id, "eu-central-1"]]);
    });
  });
});
