// The `twilio-inbound` Edge Function: Twilio posts the messages recipients send to a workspace's
// numbers here (the number's or Messaging Service's incoming-message webhook, "A message comes in").
// verify_jwt is off for it in supabase/config.toml: Twilio authenticates with its signature.
import { createTwilioInboundHandler } from "./handler.ts";
import { databasePool, envReader } from "../_shared/edge-runtime.ts";
import { apiLimits } from "../_shared/limits.ts";

const env = envReader((name) => Deno.env.get(name));

const databaseUrl = env("SUPABASE_DB_URL");
if (databaseUrl === undefined) throw new Error("SUPABASE_DB_URL is not set");
// What Twilio signs; hosted, set it to https://<ref>.supabase.co/functions/v1/twilio-inbound.
const publicUrl = env("TWILIO_INBOUND_WEBHOOK_URL");

const sql = databasePool(databaseUrl);
const fallbackAuthToken = env("TWILIO_AUTH_TOKEN");

export const handler = createTwilioInboundHandler({
  sql,
  ...(publicUrl ? { publicUrl } : {}),
  maxBodyBytes: apiLimits.request_body_max_bytes,
  ...(fallbackAuthToken ? { fallbackAuthToken } : {}),
});

if (import.meta.main) Deno.serve(handler);
