import { describe, expect, it } from "vitest";
import { remainingValidity } from "../../delivery/deliver-job.ts";
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

  it.each([
    [{ twilioCode: 20429, httpStatus: 429 }, "rateLimited"], [{ httpStatus: 429 }, "rateLimited"],
    [{ twilioCode: 20500, httpStatus: 500 }, "serverError"], [{ twilioCode: 20503, httpStatus: 503 }, "serverError"],
    [{ httpStatus: 502 }, "serverError"], [{ httpStatus: 408 }, "serverError"], [{}, "serverError"],
    [{ twilioCode: 30001, httpStatus: 400 }, "carrier"], [{ twilioCode: 30003, httpStatus: 400 }, "carrier"],
    [{ twilioCode: 21611, httpStatus: 400 }, "carrier"], [{ twilioCode: 30008, httpStatus: 400 }, "carrier"],
  ] as const)("%o is retried under the %s rule", (failure, retryClass) => {
    expect(classifySendFailure({ ...failure, message: "x" })).toMatchObject({ kind: "transient", retryClass });
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("12", now)).toBe(12);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("the ValidityPeriod a send carries", () => {
  const now = new Date("2026-11-30T00:00:00Z");
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

  it("is the whole seconds left of the expiry, none without one", () => {
    expect(remainingValidity(null, now)).toBeNull();
    expect(remainingValidity(at(600), now)).toBe(600);
    expect(remainingValidity(at(1.9), now)).toBe(1);
  });

  it("is capped at Twilio's 36000 s; under its 1 s minimum the job counts as expired", () => {
    expect(remainingValidity(at(86_400), now)).toBe(36_000);
    expect(remainingValidity(at(0.5), now)).toBe("expired");
    expect(remainingValidity(at(-5), now)).toBe("expired");
  });
});
