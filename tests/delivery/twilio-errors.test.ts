import { describe, expect, it } from "vitest";
import { classifySendFailure, parseRetryAfter } from "../../delivery/twilio/error-classification.ts";

describe("classifying Twilio send failures", () => {
  it.each([
    [21211, 400, "permanent"], [21614, 400, "permanent"], [21610, 400, "permanent"], [21408, 400, "permanent"],
    [20429, 429, "transient"], [30001, 400, "transient"], [21611, 400, "transient"], [20500, 500, "transient"],
  ] as const)("Twilio code %i (HTTP %i) is %s", (twilioCode, httpStatus, kind) => {
    expect(classifySendFailure({ twilioCode, httpStatus, message: "x" }).kind).toBe(kind);
  });

  it("unknown 4xx are permanent, unknown 5xx, 429 and no answer are transient", () => {
    expect(classifySendFailure({ httpStatus: 404, twilioCode: 99999, message: "x" }).kind).toBe("permanent");
    expect(classifySendFailure({ httpStatus: 401, message: "auth" }).kind).toBe("permanent");
    expect(classifySendFailure({ httpStatus: 503, message: "x" }).kind).toBe("transient");
    expect(classifySendFailure({ httpStatus: 429, message: "x" }).kind).toBe("transient");
    expect(classifySendFailure({ message: "ETIMEDOUT" })).toMatchObject({ kind: "transient", errorCode: "network_error" });
  });

  it("21610 records an opt-out; Retry-After becomes the minimum delay of a transient failure only", () => {
    expect(classifySendFailure({ twilioCode: 21610, httpStatus: 400, message: "STOP" }))
      .toMatchObject({ kind: "permanent", recordOptOut: true, errorCode: "21610" });
    expect(classifySendFailure({ twilioCode: 20429, httpStatus: 429, message: "slow", retryAfterSeconds: 7 }))
      .toMatchObject({ kind: "transient", minRetryDelaySeconds: 7 });
    expect(classifySendFailure({ twilioCode: 21211, httpStatus: 400, message: "x", retryAfterSeconds: 7 }))
      .toMatchObject({ minRetryDelaySeconds: 0 });
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("12", now)).toBe(12);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
