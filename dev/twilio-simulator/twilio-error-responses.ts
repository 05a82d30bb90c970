// Twilio's REST error body: {code, message, more_info, status}, as the twilio SDK parses it into a
// RestException. Messages follow Twilio's wording so logs read the same as against real Twilio.

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** An API answer the simulator sends instead of a resource. */
export interface TwilioErrorResponse {
  status: number;
  body: TwilioErrorBody;
  headers?: Record<string, string>;
}

/** HTTP status and default message of the codes the simulator can produce. */
const catalogue: Record<number, { status: number; message: string }> = {
  20003: { status: 401, message: "Authenticate" },
  20404: { status: 404, message: "The requested resource was not found" },
  20429: { status: 429, message: "Too Many Requests" },
  20500: { status: 500, message: "Internal Server Error" },
  20503: { status: 503, message: "Service Unavailable" },
  21211: { status: 400, message: "The 'To' number is not a valid phone number." },
  21212: { status: 400, message: "The 'From' number is not a valid phone number, shortcode, or alphanumeric sender ID." },
  21408: { status: 400, message: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number." },
  21602: { status: 400, message: "Message body is required." },
  21603: { status: 400, message: "A 'From' phone number is required." },
  21604: { status: 400, message: "A 'To' phone number is required." },
  21606: { status: 400, message: "The 'From' phone number provided is not a valid, message-capable Twilio phone number for this destination/account." },
  21609: { status: 400, message: "Invalid StatusCallback url." },
  21610: { status: 400, message: "Attempt to send to unsubscribed recipient" },
  21611: { status: 400, message: "This 'From' number has exceeded the maximum number of queued messages" },
  21612: { status: 400, message: "The 'To' phone number is not currently reachable using the 'From' phone number via SMS." },
  21614: { status: 400, message: "'To' number is not a valid mobile number" },
  21617: { status: 400, message: "The concatenated message body exceeds the 1600 character limit." },
  21623: { status: 400, message: "The number of media files exceeds the allowed limit of 10." },
  // Twilio refuses a ValidityPeriod outside 1–36000 s with a 400; the simulator's code for it is
  // its own choice (not checked against Twilio's catalogue), named only in the simulator's README.
  21630: { status: 400, message: "Invalid ValidityPeriod." },
  30003: { status: 400, message: "Unreachable destination handset" },
  30008: { status: 400, message: "Unknown error" },
};

export function moreInfoUrl(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}

/** Error message Twilio attaches to a code (used for error_message of failed messages too). */
export function twilioErrorMessage(code: number): string {
  return catalogue[code]?.message ?? `Error ${code}`;
}

/**
 * Builds Twilio's error answer for a code. `status` overrides the catalogue's HTTP status
 * (scripted faults may pair any code with any status); `message` overrides its text.
 */
export function twilioError(
  code: number,
  options: { status?: number; message?: string; headers?: Record<string, string> } = {},
): TwilioErrorResponse {
  const status = options.status ?? catalogue[code]?.status ?? 400;
  const response: TwilioErrorResponse = {
    status,
    body: { code, message: options.message ?? twilioErrorMessage(code), more_info: moreInfoUrl(code), status },
  };
  if (options.headers !== undefined) response.headers = options.headers;
  return response;
}

/** The error code Twilio uses for a bare HTTP status (e.g. an injected 500 → 20500). */
export function codeForHttpStatus(status: number): number {
  if (status === 401) return 20003;
  if (status === 404) return 20404;
  if (status === 429) return 20429;
  if (status === 503) return 20503;
  if (status >= 500) return 20500;
  return 20000 + status;
}
