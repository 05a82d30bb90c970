// Regions a workspace can choose (20261130001200_regions.sql is where they are written; this mirrors
// them, and tests/database/regions.test.ts keeps the two equal): Twilio's processing regions and
// public edge locations, and what a Trigger.dev region id looks like. Also the Twilio API host a
// region and edge make, built exactly as the twilio SDK builds it (BaseTwilio.getHostname), and the
// hosts Twilio answers on, which the Twilio simulator accepts.

/** Twilio's processing regions (data is processed and stored there); us1 is Twilio's default. */
export const twilioRegions = ["us1", "ie1", "au1"] as const;
export type TwilioRegion = (typeof twilioRegions)[number];

/** Twilio's public edge locations; roaming: Twilio's global low latency routing. */
export const twilioEdges = ["ashburn", "dublin", "frankfurt", "sao-paulo", "singapore", "sydney", "tokyo", "umatilla", "roaming"] as const;
export type TwilioEdge = (typeof twilioEdges)[number];

/** Twilio's default processing region, where a request without a region goes. */
export const twilioDefaultRegion: TwilioRegion = "us1";

/** private.trigger_region_max_chars(): the longest Trigger.dev region id accepted. */
export const triggerRegionMaxChars = 64;
/** private.is_valid_trigger_region: lowercase letters, digits, "-" and "_", a letter or digit at each end. */
export const triggerRegionPattern = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;

export function isTwilioRegion(value: string): value is TwilioRegion {
  return (twilioRegions as readonly string[]).includes(value);
}

export function isTwilioEdge(value: string): value is TwilioEdge {
  return (twilioEdges as readonly string[]).includes(value);
}

/**
 * The host the twilio SDK sends a Messages request to for this region and edge: api.twilio.com
 * without either; api.{region}.twilio.com with a region alone; api.{edge}.{region}.twilio.com with
 * an edge (us1 when no region is given).
 */
export function twilioApiHost(region: string | null, edge: string | null): string {
  const effectiveRegion = region ?? (edge === null ? null : twilioDefaultRegion);
  return ["api", edge, effectiveRegion, "twilio.com"].filter((part) => part !== null).join(".");
}

/**
 * True for the hosts Twilio's Messages API answers on: api.twilio.com, api.us1.twilio.com, and
 * api.{edge}.{region}.twilio.com for its regions and public edges. Not api.ie1 / api.au1.twilio.com
 * (and the other legacy api.{region} hosts): Twilio stopped accepting them on 2026-04-28.
 */
export function isTwilioApiHost(host: string): boolean {
  if (host === "api.twilio.com" || host === "api.us1.twilio.com") return true;
  const parts = host.split(".");
  if (parts.length !== 5 || parts[0] !== "api" || parts[3] !== "twilio" || parts[4] !== "com") return false;
  return isTwilioEdge(parts[1] as string) && isTwilioRegion(parts[2] as string);
}
