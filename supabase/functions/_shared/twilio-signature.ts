// Twilio request signatures (X-Twilio-Signature): HMAC-SHA1 with the account's auth token over the
// full URL followed by every POST parameter, sorted by name, as name+value. WebCrypto only, so the
// same code runs in Deno (Edge Functions) and Node (tests compare it with the twilio SDK).

export type FormParams = Record<string, string | string[]>;

function signedData(url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value ?? ""];
    for (const v of values) data += name + v;
  }
  return data;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export async function twilioSignature(authToken: string, url: string, params: FormParams): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" },
    false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(signedData(url, params)));
  return toBase64(new Uint8Array(mac));
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The URL with an explicit port removed: Twilio may sign either form. */
function withoutPort(url: string): string {
  return url.replace(/^(https?:\/\/[^/:?#]+):\d+/i, "$1");
}

export async function isValidTwilioSignature(
  authToken: string,
  signature: string | null,
  url: string,
  params: FormParams,
): Promise<boolean> {
  if (!signature) return false;
  for (const candidate of new Set([url, withoutPort(url)])) {
    if (constantTimeEqual(signature, await twilioSignature(authToken, candidate, params))) return true;
  }
  return false;
}

/** Parses an application/x-www-form-urlencoded body, keeping repeated names as arrays. */
export function parseFormBody(body: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else params[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return params;
}
