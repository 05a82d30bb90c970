// The local-mode executor: claims due jobs in batches, sends them with bounded concurrency and
// sleeps until the next due time or a NOTIFY from the database (no fixed polling). Several runners
// may run at once: claims never overlap (FOR UPDATE SKIP LOCKED).
import type postgres from "postgres";
import { deliverClaimedJob, type DeliveryDeps } from "./deliver-job.ts";
import { deliveryLimits } from "./limits.ts";
import { SendWindow } from "./send-window.ts";
import type { ClaimedJob, DeliveryResult } from "./types.ts";

export interface LocalRunnerOptions {
  claimBatch: number;
  /** Claim jobs this long before they are due and hold each until its due time. */
  claimLookaheadMs: number;
  concurrency: number;
  leaseSeconds: number;
  maxIdleMs: number;
  shutdownGraceMs: number;
  /** How soon to claim again when due work waits for its senders' send slots (default runner_paced_poll_ms). */
  pacedPollMs?: number;
  onResult?: (result: DeliveryResult) => void;
  onError?: (error: unknown, job?: ClaimedJob) => void;
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class LocalRunner {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly sendWindow = new SendWindow();
  private stopping = false;
  private wake: (() => void) | null = null;
  /** A wake-up that came while not asleep (e.g. mid-query): the next sleep returns at once. */
  private wakeRequested = false;
  private loopDone: Promise<void> | null = null;
  private listener: postgres.ListenMeta | null = null;
  private renewTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly deps: DeliveryDeps,
    private readonly options: LocalRunnerOptions,
  ) {}

  async start(): Promise<void> {
    this.listener = await this.sql.listen("sms_jobs_due", () => this.wakeUp());
    this.renewTimer = setInterval(() => void this.renewLeases(), (this.options.leaseSeconds * 1000) / 3);
    this.loopDone = this.loop();
  }

  /** Stops claiming, waits for in-flight sends (up to the grace period) and returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp();
    await this.loopDone;
    const grace = new Promise((resolve) => setTimeout(resolve, this.options.shutdownGraceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), grace]);
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.listener?.unlisten();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
    else this.wakeRequested = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = null; resolve(); }, Math.max(0, ms));
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.options.concurrency - this.inFlight.size;
      // A claim costs a few milliseconds whatever its size (it finds the senders with due work and
      // gives send slots): while sends are in flight, claim again only once a quarter of the batch
      // is free, not for each send that finishes.
      const worthClaiming = Math.max(1, Math.floor(Math.min(this.options.claimBatch, this.options.concurrency) / 4));
      if (free <= 0 || (free < worthClaiming && this.inFlight.size > 0)) {
        await this.waitForSlot();
        continue;
      }
      let claimed: ClaimedJob[];
      this.wakeRequested = false; // this claim sees everything committed so far
      try {
        claimed = await this.deps.store.claimDue(this.deps.workerId, Math.min(this.options.claimBatch, free),
          this.options.leaseSeconds, this.options.claimLookaheadMs);
      } catch (error) {
        this.options.onError?.(error);
        await this.sleep(1000);
        continue;
      }
      for (const job of claimed) this.launch(job);
      if (claimed.length > 0) continue;
      await this.sleepUntilNextDue();
    }
  }

  private launch(job: ClaimedJob): void {
    // The claim set next_attempt_at to the job's send slot (its due time, or later when its sender
    // is paced): the job is held until then. +1 ms: the due time arrives with microseconds and Date
    // keeps milliseconds; never send early.
    const slot = job.next_attempt_at.getTime() + 1;
    const early = slot - Date.now();
    // Fetch (and cache) the workspace's credentials while the job waits, so it leaves at its slot.
    if (early > 0) void this.deps.store.credentials(job.workspace_id).catch(() => undefined);
    const due = early > 0 ? sleepMs(early) : Promise.resolve();
    const work = due
      .then(async () => {
        // The window counts from when the request leaves: the credentials first (cached by now
        // unless the job was due at once; an error is the delivery's to report).
        await this.deps.store.credentials(job.workspace_id).catch(() => undefined);
        const wait = this.sendWindow.reserve(job.from_number, slot, Date.now());
        if (wait > 0) await sleepMs(wait);
      })
      .then(() => deliverClaimedJob(job, this.deps))
      .then((result) => this.options.onResult?.(result))
      // The job's lease expires and the sweep puts it back to retrying: logged, never lost.
      .catch((error: unknown) => this.options.onError?.(error, job))
      .finally(() => {
        this.inFlight.delete(job.id);
        this.wakeUp();
      });
    this.inFlight.set(job.id, work);
  }

  private async waitForSlot(): Promise<void> {
    await Promise.race([...this.inFlight.values(), this.sleep(this.options.maxIdleMs)]);
  }

  private async sleepUntilNextDue(): Promise<void> {
    let waitMs = this.options.maxIdleMs;
    try {
      const next = await this.deps.store.nextDueAt();
      if (next) {
        waitMs = Math.min(waitMs, next.getTime() - this.options.claimLookaheadMs - Date.now());
        // Due work the claim left pending: its senders have no free send slot within the slot
        // horizon (pacing), or another runner holds it. Slots free up as time passes, not by
        // NOTIFY: look again shortly instead of spinning on empty claims.
        if (waitMs <= 0) waitMs = this.options.pacedPollMs ?? deliveryLimits.runner_paced_poll_ms;
      }
    } catch (error) {
      this.options.onError?.(error);
    }
    if (waitMs > 0 && !this.stopping) await this.sleep(waitMs);
  }

  private async renewLeases(): Promise<void> {
    try {
      await this.deps.store.renewLeases(this.deps.workerId, [...this.inFlight.keys()], this.options.leaseSeconds);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
