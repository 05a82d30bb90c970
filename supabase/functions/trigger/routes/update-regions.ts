// POST update-regions: the workspace's Twilio region and edge and its Trigger.dev region (owners and
// admins, as every workspace setting). Only the fields given change; null restores the default. The
// database judges the values (private.validate_workspace_regions: invalid_region, naming the field).
import { requireWorkspaceAccess, requireWorkspaceAdmin } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { regionErrorOf, regionsOf } from "../regions-view.ts";
import type { RouteHandler } from "../route.ts";

export const updateRegions: RouteHandler<"update-regions"> = async ({ input, sql, principal }) =>
  await inTransaction(sql, principal, async (tx) => {
    await requireWorkspaceAccess(tx, principal, input.workspaceId, "write");
    await requireWorkspaceAdmin(tx, principal, input.workspaceId, "change the workspace's regions");
    const { twilioRegion, twilioEdge, triggerRegion } = input;
    if (twilioRegion !== undefined || twilioEdge !== undefined || triggerRegion !== undefined) {
      try {
        // One statement, so a region and the edge it needs are judged together; a field left out
        // keeps its value.
        await tx`
          update public.workspace_settings
          set twilio_region = case when ${twilioRegion !== undefined} then ${twilioRegion ?? null}::text else twilio_region end,
              twilio_edge = case when ${twilioEdge !== undefined} then ${twilioEdge ?? null}::text else twilio_edge end,
              trigger_region = case when ${triggerRegion !== undefined} then ${triggerRegion ?? null}::text else trigger_region end,
              updated_at = now()
          where workspace_id = ${input.workspaceId}`;
      } catch (error) {
        throw regionErrorOf(error);
      }
    }
    return await regionsOf(tx, input.workspaceId);
  });
