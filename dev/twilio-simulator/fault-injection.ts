// Deciding, per request, whether the simulator misbehaves: scripted outcomes per recipient first
// (deterministic, for tests), then the random fault rates, then the per-sender rate limit.
import type { ScriptedOutcome, SimulatorConfig } from "./simulator-config.ts";
import { codeForHttpStatus, twilioError, type TwilioErrorResponse } from "./twilio-error-responses.ts";

/** A fault to act out instead of handling the request normally. */
export type InjectedFault =
  | { kind: "error"; response: TwilioErrorResponse }
  | { kind: "timeout"; holdMs: number; created: boolean };

/** The remaining scripted steps per recipient; each create request for that To consumes one. */
export class ScriptedOutcomeQueue {
  private readonly remaining = new Map<string, { step: ScriptedOutcome; left: number }[]>();

  /** Replaces the script of each recipient named (an empty list removes it). */
  load(scripts: Record<string, ScriptedOutcome[]>): void {
    for (const [to, steps] of Object.entries(scripts)) {
      if (steps.length === 0) this.remaining.delete(to);
      else this.remaining.set(to, steps.map((step) => ({ step, left: step.times ?? 1 })));
    }
  }

  clear(): void {
    this.remaining.clear();
  }

  /** The next step for this recipient, consuming it; undefined when it has no script left. */
  take(to: string): ScriptedOutcome | undefined {
    const steps = this.remaining.get(to);
    const head = steps?.[0];
    if (steps === undefined || head === undefined) return undefined;
    head.left -= 1;
    if (head.left <= 0) steps.shift();
    if (steps.length === 0) this.remaining.delete(to);
    return head.step;
  }

  /** What is left, in the same shape as configured. */
  snapshot(): Record<string, ScriptedOutcome[]> {
    const result: Record<string, ScriptedOutcome[]> = {};
    for (const [to, steps] of this.remaining) {
      result[to] = steps.map(({ step, left }) => ({ ...step, times: left }));
    }
    return result;
  }
}

export function faultFromScript(step: ScriptedOutcome, config: SimulatorConfig): InjectedFault | null {
  switch (step.outcome) {
    case "success":
      return null;
    case "timeout":
      return { kind: "timeout", holdMs: step.holdMs, created: step.created ?? false };
    case "error": {
      const retryAfter = step.retryAfterSeconds ?? (step.status === 429 ? config.retryAfterSeconds : undefined);
      return {
        kind: "error",
        response: twilioError(step.code ?? codeForHttpStatus(step.status), {
          status: step.status,
          ...(step.message === undefined ? {} : { message: step.message }),
          ...(retryAfter === undefined ? {} : { headers: { "Retry-After": String(retryAfter) } }),
        }),
      };
    }
  }
}

/** The random faults of the configuration, rolled once per request. */
export function rollRandomFault(config: SimulatorConfig): InjectedFault | null {
  if (config.timeoutRate > 0 && Math.random() < config.timeoutRate) {
    return { kind: "timeout", holdMs: config.timeoutHoldMs, created: false };
  }
  if (config.tooManyRequestsRate > 0 && Math.random() < config.tooManyRequestsRate) {
    return { kind: "error", response: tooManyRequests(config.retryAfterSeconds) };
  }
  if (config.serverErrorRate > 0 && Math.random() < config.serverErrorRate) {
    return { kind: "error", response: twilioError(20500) };
  }
  return null;
}

export function tooManyRequests(retryAfterSeconds: number): TwilioErrorResponse {
  return twilioError(20429, { headers: { "Retry-After": String(retryAfterSeconds) } });
}

/**
 * Token bucket per sender: holds up to one second's worth of messages and refills continuously,
 * so a steady rate at the limit passes and a burst above it gets 429s.
 */
export class SenderRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  /** Takes a token for this sender; answers how long to wait when there is none. */
  take(sender: string, perSecond: number, now: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const capacity = Math.max(1, perSecond);
    const bucket = this.buckets.get(sender) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    this.buckets.set(sender, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }

  clear(): void {
    this.buckets.clear();
  }
}
