// The simulator's state and behaviour, independent of how it is served: credentials, the current
// configuration, what it received, and the machinery for faults and status callbacks.
import type { ServerResponse } from "node:http";
import { CredentialChecker, type SimulatorCredentials } from "./account-credentials.ts";
import { MessageStore, type ReceivedMessage } from "./message-store.ts";
import { ScriptedOutcomeQueue, SenderRateLimiter } from "./fault-injection.ts";
import { CallbackDispatcher } from "./status-callbacks.ts";
import { MessageLifecycles } from "./message-lifecycle.ts";
import {
  applyConfigPatch, defaultSimulatorConfig, simulatorConfigPatchSchema,
  type SimulatorConfig, type SimulatorConfigPatch,
} from "./simulator-config.ts";

export class TwilioSimulator {
  readonly credentials: CredentialChecker;
  readonly store = new MessageStore();
  readonly scripts = new ScriptedOutcomeQueue();
  readonly rateLimiter = new SenderRateLimiter();
  readonly callbacks: CallbackDispatcher;
  private readonly lifecycles: MessageLifecycles;
  private readonly initialConfig: SimulatorConfig;
  private current: SimulatorConfig;
  private readonly held = new Set<NodeJS.Timeout>();

  constructor(credentials: SimulatorCredentials, config: SimulatorConfigPatch = {}) {
    this.credentials = new CredentialChecker(credentials);
    this.initialConfig = applyConfigPatch(defaultSimulatorConfig, simulatorConfigPatchSchema.parse(config));
    this.current = this.initialConfig;
    this.scripts.load(this.current.scriptedOutcomes);
    this.callbacks = new CallbackDispatcher(() => this.current.callbacks);
    this.lifecycles = new MessageLifecycles(this.callbacks);
  }

  get config(): SimulatorConfig {
    return this.current;
  }

  /**
   * Changes settings (validated; throws a ZodError on a bad patch). Scripts given here replace
   * the remaining script of those recipients.
   */
  configure(patch: SimulatorConfigPatch): SimulatorConfig {
    const parsed = simulatorConfigPatchSchema.parse(patch);
    this.current = applyConfigPatch(this.current, parsed);
    if (parsed.scriptedOutcomes !== undefined) this.scripts.load(parsed.scriptedOutcomes);
    return this.current;
  }

  /** Forgets everything received, cancels pending callbacks, and restores the start configuration. */
  reset(): void {
    this.lifecycles.cancelAll();
    this.store.clear();
    this.callbacks.clear();
    this.rateLimiter.clear();
    this.scripts.clear();
    this.current = this.initialConfig;
    this.scripts.load(this.current.scriptedOutcomes);
  }

  /** Stores an accepted message and starts its status lifecycle. */
  accept(message: ReceivedMessage): void {
    this.store.add(message);
    const outcome = this.current.deliveryOutcomes[message.to] ?? this.current.defaultDeliveryOutcome;
    const authToken = this.credentials.authToken(message.accountSid) ?? "";
    this.lifecycles.start(message, authToken, outcome, this.current.callbacks, (record) => message.callbacks.push(record));
  }

  /** Simulates a request timeout: never answer, and drop the connection after holdMs. */
  holdThenDrop(response: ServerResponse, holdMs: number): void {
    const timer = setTimeout(() => {
      this.held.delete(timer);
      response.socket?.destroy();
    }, holdMs);
    this.held.add(timer);
  }

  /** Resolves once no status change or status callback is outstanding. */
  idle(): Promise<void> {
    return this.lifecycles.idle();
  }

  stop(): void {
    for (const timer of this.held) clearTimeout(timer);
    this.held.clear();
    this.lifecycles.stop();
    this.callbacks.stop();
  }
}
