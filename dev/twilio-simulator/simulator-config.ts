// The simulator's behaviour knobs: latency, injected faults, scripted outcomes per recipient and
// how status callbacks are delivered. Set at start and changed at runtime (POST /__simulator/config
// or configure()), validated with zod so a typo in a test fails loudly instead of being ignored.
import { z } from "zod";

/** A fixed number of milliseconds, or a uniformly random one in [min, max]. */
const durationMs = z.union([
  z.number().nonnegative(),
  z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() })
    .refine((r) => r.min <= r.max, "min must not exceed max"),
]);
export type DurationMs = z.infer<typeof durationMs>;

const rate = z.number().min(0).max(1);

/**
 * What the next Messages create request for a recipient gets. `times` repeats a step, so
 * "two transient failures then success" is `[{ outcome: "error", status: 500, times: 2 }]`.
 */
const scriptedOutcome = z.discriminatedUnion("outcome", [
  z.object({
    outcome: z.literal("error"),
    status: z.number().int().min(400).max(599),
    /** Twilio error code; defaults to the code Twilio uses for the status (500 → 20500). */
    code: z.number().int().optional(),
    message: z.string().optional(),
    /** Sent as Retry-After (seconds); defaults to retryAfterSeconds for 429s. */
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    times: z.number().int().positive().optional(),
  }).strict(),
  z.object({
    outcome: z.literal("timeout"),
    /** Hold the request this long, then drop the connection without answering. */
    holdMs: z.number().nonnegative(),
    /** Whether the message was accepted anyway (the ambiguous case a client cannot tell apart). */
    created: z.boolean().optional(),
    times: z.number().int().positive().optional(),
  }).strict(),
  z.object({
    outcome: z.literal("success"),
    times: z.number().int().positive().optional(),
  }).strict(),
]);
export type ScriptedOutcome = z.infer<typeof scriptedOutcome>;

/** How a message ends; the callbacks report the statuses leading there. */
const deliveryOutcome = z.object({
  status: z.enum(["delivered", "undelivered", "failed"]),
  /** ErrorCode reported with undelivered/failed (default 30003 undelivered, 30008 failed). */
  errorCode: z.number().int().optional(),
}).strict();
export type DeliveryOutcome = z.infer<typeof deliveryOutcome>;

const callbackSettings = z.object({
  /** Time between successive statuses of a message (queued → sent → delivered). */
  statusDelayMs: durationMs,
  /** "reversed"/"shuffled" hold a message's callbacks until its last status, then send them in that order. */
  order: z.enum(["in-order", "reversed", "shuffled"]),
  /** Probability that a callback is sent twice. */
  duplicateRate: rate,
  /** Most callback HTTP requests in flight at once. */
  concurrency: z.number().int().positive(),
  /** Give up on a callback request after this long. */
  timeoutMs: z.number().int().positive(),
}).strict();
export type CallbackSettings = z.infer<typeof callbackSettings>;

const configShape = {
  /** Added before answering every Twilio API request. */
  latencyMs: durationMs,
  /** Probability of answering a Twilio API request with 429 / 20429 and Retry-After. */
  tooManyRequestsRate: rate,
  /** Retry-After (seconds) sent with injected and rate-limit 429s. */
  retryAfterSeconds: z.number().int().nonnegative(),
  /** Probability of answering a Twilio API request with 500 / 20500. */
  serverErrorRate: rate,
  /** Probability of holding a Twilio API request for timeoutHoldMs, then dropping it unanswered. */
  timeoutRate: rate,
  timeoutHoldMs: z.number().nonnegative(),
  /** Messages per second each sender (From, else MessagingServiceSid) may create; null = no limit. */
  senderRateLimitPerSecond: z.number().positive().nullable(),
  /** Per recipient (To), outcomes consumed one per create request before normal handling. */
  scriptedOutcomes: z.record(z.string(), z.array(scriptedOutcome)),
  /** Per recipient (To), how its messages end. */
  deliveryOutcomes: z.record(z.string(), deliveryOutcome),
  /** How messages end when their recipient has no entry in deliveryOutcomes. */
  defaultDeliveryOutcome: deliveryOutcome,
  callbacks: callbackSettings,
};

export const simulatorConfigSchema = z.object(configShape).strict();
export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

/** A change: any subset of the settings; callbacks may be given partially. */
export const simulatorConfigPatchSchema = z.object({
  ...configShape,
  callbacks: callbackSettings.partial(),
}).partial().strict();
export type SimulatorConfigPatch = z.infer<typeof simulatorConfigPatchSchema>;

export const defaultSimulatorConfig: SimulatorConfig = {
  latencyMs: 0,
  tooManyRequestsRate: 0,
  retryAfterSeconds: 1,
  serverErrorRate: 0,
  timeoutRate: 0,
  timeoutHoldMs: 30_000,
  senderRateLimitPerSecond: null,
  scriptedOutcomes: {},
  deliveryOutcomes: {},
  defaultDeliveryOutcome: { status: "delivered" },
  callbacks: { statusDelayMs: 100, order: "in-order", duplicateRate: 0, concurrency: 32, timeoutMs: 10_000 },
};

/**
 * Applies a change. Per-recipient maps merge by recipient (an empty script list removes one);
 * everything else is replaced.
 */
export function applyConfigPatch(config: SimulatorConfig, patch: SimulatorConfigPatch): SimulatorConfig {
  const scripts = Object.entries({ ...config.scriptedOutcomes, ...patch.scriptedOutcomes })
    .filter(([, steps]) => steps.length > 0);
  return simulatorConfigSchema.parse({
    ...config,
    ...patch,
    callbacks: { ...config.callbacks, ...patch.callbacks },
    scriptedOutcomes: Object.fromEntries(scripts),
    deliveryOutcomes: { ...config.deliveryOutcomes, ...patch.deliveryOutcomes },
  });
}

export function pickDuration(duration: DurationMs): number {
  if (typeof duration === "number") return duration;
  return duration.min + Math.random() * (duration.max - duration.min);
}
