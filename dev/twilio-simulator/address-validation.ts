// Which To/From values Twilio accepts as addresses. Deliberately a shape check, not a numbering
// plan: Twilio rejects malformed numbers synchronously (21211/21212) and unreachable ones later.

const e164 = /^\+[1-9]\d{6,14}$/;
const shortCode = /^\d{3,8}$/;
// Alphanumeric sender IDs: up to 11 characters, at least one letter.
const alphanumericSender = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const channelPrefix = /^(whatsapp|messenger|rcs):/;

function withoutChannel(address: string): string {
  return address.replace(channelPrefix, "");
}

export function isValidRecipient(to: string): boolean {
  return e164.test(withoutChannel(to));
}

export function isValidSender(from: string): boolean {
  const bare = withoutChannel(from);
  return e164.test(bare) || shortCode.test(bare) || alphanumericSender.test(bare);
}

/** StatusCallback must be an absolute http(s) URL (Twilio answers 21609 otherwise). */
export function isValidCallbackUrl(url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}
