// What every Twilio webhook this service answers (delivery-status callbacks, incoming messages)
// starts with: a form POST of bounded size, and the URL Twilio signed.
import { type FormParams, parseFormBody } from "./twilio-signature.ts";

/** A plain-text answer (Twilio only reads the status; people reading logs read the text). */
export function plainReply(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** The form parameters of a Twilio webhook, or the 405 / 415 / 413 answer to a request that is not one. */
export async function readTwilioForm(request: Request, maxBodyBytes: number): Promise<FormParams | Response> {
  if (request.method !== "POST") return plainReply(405, "method not allowed");
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.startsWith("application/x-www-form-urlencoded")) return plainReply(415, "form body expected");
  const raw = await request.text();
  if (new TextEncoder().encode(raw).length > maxBodyBytes) return plainReply(413, "body too large");
  return parseFormBody(raw);
}

/**
 * The URL Twilio signed: the function's public URL (behind a gateway the request's own URL may
 * differ from it: scheme, host), else the request's, plus the query string Twilio was configured with.
 */
export function signedUrlOf(request: Request, publicUrl: string | undefined): string {
  const requestUrl = new URL(request.url);
  return (publicUrl ?? requestUrl.origin + requestUrl.pathname) + requestUrl.search;
}
