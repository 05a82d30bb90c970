// Trigger.dev project configuration (`npx trigger.dev deploy`). Tasks live in trigger/; the
// delivery core they call is shared with the local runner. See README "Trigger.dev (production)".
import { defineConfig } from "@trigger.dev/sdk";
import { triggerTaskLimits } from "./supabase/functions/_shared/limits.ts";

export default defineConfig({
  // The project ref from the Trigger.dev dashboard (proj_…).
  project: process.env.TRIGGER_PROJECT_REF ?? "proj_replace_with_your_project_ref",
  dirs: ["trigger"],
  runtime: "node",
  maxDuration: triggerTaskLimits.max_duration_seconds,
  // Defaults for any task without its own; send-sms sets the same explicitly. Only thrown errors
  // (infrastructure) are retried: Twilio errors are recorded in the database, not thrown.
  retries: {
    enabledInDev: false,
    default: {
      maxAttempts: triggerTaskLimits.infrastructure_max_attempts,
      factor: 2,
      minTimeoutInMs: 1_000,
      maxTimeoutInMs: 30_000,
      randomize: true,
    },
  },
});
