// Twilio's delivery-status callbacks. The signature is checked with the auth token of the account
// that sent the message; only then does the status reach the job, and only forwards (SQL decides).
import type postgres from "postgres";
import { isValidTwilioSignature } from "../_shared/twilio-signature.ts";
import { plainReply as reply, readTwilioForm, signedUrlOf } from "../_shared/twilio-webhook.ts";

export interface TwilioStatusDeps {
  sql: postgres.Sql;
  /**
   * The public URL this function is reached at (what Twilio signs), e.g.
   * https://<ref>.supabase.co/functions/v1/twilio-status. Behind a gateway the request's own URL may
   * differ from it (scheme, host), so production sets it; unset, the request URL is used (local).
   */
  publicUrl?: string;
  /** Auth token for messages whose workspace has no credentials row (single-tenant fallback). */
  fallbackAuthToken?: string;
  /** Largest callback body accepted. */
  maxBodyBytes: number;
}

export function createTwilioStatusHandler(deps: TwilioStatusDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const params = await readTwilioForm(request, deps.maxBodyBytes);
    if (params instanceof Response) return params;
    const sid = params.MessageSid ?? params.SmsSid;
    const status = params.MessageStatus ?? params.SmsStatus;
    if (typeof sid !== "string" || typeof status !== "string") return reply(400, "MessageSid and MessageStatus required");

    // Twilio signs the URL it called, whose query string's `job` names the job (so a callback that
    // beats the worker's own record still finds it).
    const url = signedUrlOf(request, deps.publicUrl);
    const jobId = new URL(request.url).searchParams.get("job");
    if (!jobId) return reply(400, "the callback URL names no job");
    const [account] = await deps.sql<{ auth_token: string | null }[]>`
      select auth_token from private.twilio_account_for_job(${jobId})`;
    const authToken = account?.auth_token ?? deps.fallbackAuthToken;
    if (!authToken || !(await isValidTwilioSignature(authToken, request.headers.get("x-twilio-signature"), url, params))) {
      return reply(403, "invalid signature");
    }
    if (!account) return reply(200, "unknown job"); // signed by the fallback account, not ours

    const errorCode = typeof params.ErrorCode === "string" && params.ErrorCode !== "" ? params.ErrorCode : null;
    const errorMessage = typeof params.ErrorMessage === "string" && params.ErrorMessage !== "" ? params.ErrorMessage : null;
    // Twilio's segment count, where a callback carries it (0 or anything else unreadable: not known).
    const numSegments = typeof params.NumSegments === "string" && /^[1-9][0-9]{0,3}$/.test(params.NumSegments)
      ? Number(params.NumSegments) : null;
    // Twilio's price (negative: a charge) and its currency, where a callback carries them.
    const price = typeof params.Price === "string" && /^-?\d{1,6}(\.\d{1,10})?$/.test(params.Price) ? params.Price : null;
    const priceUnit = typeof params.PriceUnit === "string" && /^[A-Za-z]{3}$/.test(params.PriceUnit)
      ? params.PriceUnit.toUpperCase() : null;
    try {
      await deps.sql`
        select private.record_message_status(${jobId}, ${sid}, ${status}, ${errorCode}, ${errorMessage}, ${numSegments}::integer)`;
      if (price !== null && priceUnit !== null) {
        await deps.sql`select private.record_message_price(${jobId}, ${sid}, ${price}::numeric, ${priceUnit})`;
      }
    } catch (error) {
      // An unknown status is Twilio's news, not our failure: acknowledge so Twilio does not retry.
      if ((error as { hint?: string }).hint === "invalid_argument") return reply(200, "ignored unknown status");
      throw error;
    }
    return reply(200, "ok");
  };
}
