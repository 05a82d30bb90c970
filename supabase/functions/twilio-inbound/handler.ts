// Twilio's incoming-message webhook: a recipient's reply to one of a workspace's senders. The
// number it was sent to (To, else its Messaging Service) names the workspace; the signature is
// checked with that workspace's auth token before anything is stored. The database stores the
// message once per MessageSid and applies its keyword (private.record_inbound_message: STOP records
// an opt-out and cancels the pending jobs to the number, START lifts the recipient's own opt-out,
// HELP and INFO are logged), all in one statement. The answer is an empty TwiML <Response/>: the
// replies the carriers require come from Twilio (Advanced Opt-Out), not from here.
import type postgres from "postgres";
import { isValidTwilioSignature, type FormParams } from "../_shared/twilio-signature.ts";
import { plainReply as reply, readTwilioForm, signedUrlOf } from "../_shared/twilio-webhook.ts";

export interface TwilioInboundDeps {
  sql: postgres.Sql;
  /**
   * The public URL this function is reached at (what Twilio signs), e.g.
   * https://<ref>.supabase.co/functions/v1/twilio-inbound. Behind a gateway the request's own URL
   * may differ from it (scheme, host), so production sets it; unset, the request URL is used (local).
   */
  publicUrl?: string;
  /** Auth token for workspaces without a credentials row (single-tenant fallback). */
  fallbackAuthToken?: string;
  /** Largest webhook body accepted. */
  maxBodyBytes: number;
}

/** An empty TwiML answer: Twilio sends nothing back on our behalf. */
export const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

function twiml(): Response {
  return new Response(emptyTwiml, { status: 200, headers: { "content-type": "text/xml; charset=utf-8" } });
}

/** A single parameter's value ("" when absent; the first when repeated). */
function param(params: FormParams, name: string): string {
  const value = params[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

const messageSidPattern = /^[A-Z]{2}[0-9a-fA-F]{32}$/;
const accountSidPattern = /^AC[0-9a-fA-F]{32}$/;
const messagingServiceSidPattern = /^MG[0-9a-fA-F]{32}$/;

export function createTwilioInboundHandler(deps: TwilioInboundDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const params = await readTwilioForm(request, deps.maxBodyBytes);
    if (params instanceof Response) return params;
    const messageSid = param(params, "MessageSid") || param(params, "SmsSid");
    const accountSid = param(params, "AccountSid");
    const from = param(params, "From");
    const to = param(params, "To");
    const messagingServiceSid = param(params, "MessagingServiceSid");
    if (!messageSidPattern.test(messageSid) || !accountSidPattern.test(accountSid) || from === "" || to === ""
        || from.length > 100 || to.length > 100
        || (messagingServiceSid !== "" && !messagingServiceSidPattern.test(messagingServiceSid))) {
      return reply(400, "MessageSid, AccountSid, From and To required");
    }

    const [route] = await deps.sql<{ workspace_id: string; account_sid: string | null; auth_token: string | null }[]>`
      select workspace_id, account_sid, auth_token from private.inbound_route(${to}, ${messagingServiceSid || null})`;
    // Nothing to verify the signature with and nowhere to store it: not one of our numbers.
    if (route === undefined) return reply(404, "unknown number: To is not a sender of any workspace");

    const url = signedUrlOf(request, deps.publicUrl);
    const authToken = route.auth_token ?? deps.fallbackAuthToken;
    if (!authToken || !(await isValidTwilioSignature(authToken, request.headers.get("x-twilio-signature"), url, params))) {
      return reply(403, "invalid signature");
    }
    // Signed, but by another account than the one the workspace sends with: not its message.
    if (route.account_sid !== null && route.account_sid !== accountSid) return reply(403, "account mismatch");

    const numMedia = /^\d{1,2}$/.test(param(params, "NumMedia")) ? Number(param(params, "NumMedia")) : 0;
    const optOutType = param(params, "OptOutType");
    await deps.sql`
      select * from private.record_inbound_message(${route.workspace_id}, ${messageSid}, ${accountSid}, ${from}, ${to},
        ${messagingServiceSid || null}, ${param(params, "Body")}, ${numMedia}::integer, ${optOutType || null})`;
    return twiml();
  };
}
