// Gathers a runner's completions for a few milliseconds and records them with one statement
// (private.complete_jobs). Each caller's promise settles when its completion is committed.

export interface Completion {
  jobId: string;
  twilioSid: string;
  messageStatus: string;
  /** Twilio's num_segments; null when it did not say (a Messaging Service send answers 0). */
  twilioSegments: number | null;
}

interface Pending extends Completion {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class CompletionBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flushBatch: (completions: Completion[]) => Promise<void>,
    private readonly options: { maxBatch: number; maxDelayMs: number },
  ) {}

  add(completion: Completion): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...completion, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.flushBatch(batch.map(({ jobId, twilioSid, messageStatus, twilioSegments }) => ({ jobId, twilioSid, messageStatus, twilioSegments })))
      .then(() => { for (const p of batch) p.resolve(); })
      .catch((error: unknown) => { for (const p of batch) p.reject(error); });
  }
}
