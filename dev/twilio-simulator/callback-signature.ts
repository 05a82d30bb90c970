// X-Twilio-Signature, computed the way Twilio signs webhooks: HMAC-SHA1, keyed with the account's
// auth token, over the full URL followed by each POST parameter name and value sorted by name,
// base64-encoded. Written independently of the twilio SDK so tests can check it against the
// SDK's validateRequest rather than against itself.
import { createHmac } from "node:crypto";

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf-8")).digest("base64");
}
