// A workspace's regions as GET regions and POST update-regions answer them: the settings
// (private.workspace_regions, 20261130001200_regions.sql, which also holds the values allowed), the
// Twilio API host they make and what a null setting means.
import postgres from "postgres";
import type { RegionsResult } from "../_shared/api-types.ts";
import {
  isTwilioEdge, isTwilioRegion, triggerRegionPattern, twilioApiHost, twilioDefaultRegion,
} from "../_shared/regions.ts";
import type { Transaction } from "./database.ts";
import { ApiError } from "./http.ts";

interface RegionsRow {
  twilio_region: string | null;
  twilio_edge: string | null;
  trigger_region: string | null;
  twilio_regions: string[];
  twilio_edges: string[];
  trigger_region_max_chars: number;
}

export async function regionsOf(tx: Transaction, workspaceId: string): Promise<RegionsResult> {
  const [row] = await tx<RegionsRow[]>`select * from private.workspace_regions(${workspaceId})`;
  if (row === undefined) throw new Error(`workspace ${workspaceId} has no settings row`);
  const region = row.twilio_region;
  const edge = row.twilio_edge;
  // The database's values are the allowed ones; a value this API version does not know is a
  // migration it has not caught up with, not something to show as valid.
  if ((region !== null && !isTwilioRegion(region)) || (edge !== null && !isTwilioEdge(edge))
    || !row.twilio_regions.every(isTwilioRegion) || !row.twilio_edges.every(isTwilioEdge)) {
    throw new Error(`the database's Twilio regions or edges differ from _shared/regions.ts (workspace ${workspaceId})`);
  }
  return {
    workspaceId,
    twilioRegion: region,
    twilioEdge: edge,
    triggerRegion: row.trigger_region,
    twilioApiHost: twilioApiHost(region, edge),
    defaults: { twilioRegion: twilioDefaultRegion, twilioEdge: null, triggerRegion: null },
    allowed: {
      twilioRegions: row.twilio_regions.filter(isTwilioRegion),
      twilioEdges: row.twilio_edges.filter(isTwilioEdge),
      triggerRegionPattern: triggerRegionPattern.source,
      triggerRegionMaxChars: row.trigger_region_max_chars,
    },
  };
}

/** The request field each column of the regions is set from. */
const fieldOfColumn: Record<string, string> = {
  twilio_region: "twilioRegion",
  twilio_edge: "twilioEdge",
  trigger_region: "triggerRegion",
};

/** invalid_region from the database (its DETAIL names the column) as an ApiError naming the field; anything else unchanged. */
export function regionErrorOf(error: unknown): unknown {
  if (!(error instanceof postgres.PostgresError) || error.hint !== "invalid_region") return error;
  const field = fieldOfColumn[error.detail ?? ""];
  return new ApiError("invalid_region", error.message,
    field === undefined ? undefined : { fields: [{ field, message: error.message }] });
}
