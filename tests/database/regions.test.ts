// The regions a workspace may choose are written once, in the database (20261130001200_regions.sql);
// supabase/functions/_shared/regions.ts mirrors them for the API's host preview and the Twilio
// simulator. The two must agree, value for value and rule for rule.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  isTwilioApiHost, triggerRegionMaxChars, triggerRegionPattern, twilioApiHost, twilioEdges, twilioRegions,
} from "../../supabase/functions/_shared/regions.ts";
import { connect } from "../support/database.ts";

const sql = connect();
afterAll(() => sql.end());

describe("Twilio and Trigger.dev regions shared by TypeScript and SQL", () => {
  it("the same Twilio regions and edges, in the same order", async () => {
    const [row] = await sql<{ regions: string[]; edges: string[]; max: number }[]>`
      select private.twilio_regions() as regions, private.twilio_edges() as edges, private.trigger_region_max_chars() as max`;
    expect(row).toEqual({ regions: [...twilioRegions], edges: [...twilioEdges], max: triggerRegionMaxChars });
  });

  it("the same judgement of Trigger.dev region ids", async () => {
    const candidate = fc.oneof(
      fc.stringMatching(/^[a-z0-9_-]{1,70}$/),
      fc.constantFrom("us-east-1", "eu-central-1", "a", "-a", "a-", "A", "eu central", "eu.central", "é", "a".repeat(64), "a".repeat(65)),
      fc.string({ maxLength: 10 }),
    );
    const samples = fc.sample(candidate, { numRuns: 300, seed: 15 });
    const rows = await sql<{ region: string; valid: boolean }[]>`
      select r as region, private.is_valid_trigger_region(r) as valid from unnest(${samples}::text[]) as r`;
    for (const { region, valid } of rows) {
      const expected = region.length <= triggerRegionMaxChars && triggerRegionPattern.test(region);
      expect({ region, valid }).toEqual({ region, valid: expected });
    }
  });

  it("every combination the database accepts makes a host Twilio answers on", async () => {
    const rows = await sql<{ region: string | null; edge: string | null; accepted: boolean }[]>`
      select r as region, e as edge, (r is null or r = 'us1' or e is not null) as accepted
      from unnest(private.twilio_regions() || array[null]) as r, unnest(private.twilio_edges() || array[null]) as e`;
    expect(rows).toHaveLength((twilioRegions.length + 1) * (twilioEdges.length + 1));
    for (const { region, edge, accepted } of rows) {
      expect({ region, edge, host: twilioApiHost(region, edge), answers: isTwilioApiHost(twilioApiHost(region, edge)) })
        .toEqual({ region, edge, host: twilioApiHost(region, edge), answers: accepted });
    }
  });
});
