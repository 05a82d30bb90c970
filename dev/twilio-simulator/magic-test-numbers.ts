// Twilio's magic test numbers (https://www.twilio.com/docs/iam/test-credentials#test-sms-messages):
// fixed To/From values that make Messages create fail with a known error, so delivery code can
// exercise its error handling. Any other well-formed number succeeds.

/** Recipient numbers and the error code Twilio answers when sending to them. */
export const magicRecipientErrors: Readonly<Record<string, number>> = {
  "+15005550001": 21211, // invalid number
  "+15005550002": 21612, // cannot route
  "+15005550003": 21408, // no international permission
  "+15005550004": 21610, // blocked: the recipient opted out
  "+15005550009": 21614, // not SMS-capable (landline)
};

/** Sender numbers and the error code Twilio answers when sending from them. */
export const magicSenderErrors: Readonly<Record<string, number>> = {
  "+15005550001": 21212, // invalid number
  "+15005550007": 21606, // not owned by the account
  "+15005550008": 21611, // its queue is full
};

/** The number Twilio documents as a valid test sender. */
export const magicValidSender = "+15005550006";
