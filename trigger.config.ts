// Trigger.dev project configuration (`npx trigger.dev deploy`). Tasks live in trigger/; the
// delivery core they call (delivery/) is shared with the local runner. See docs/operations.md
// ("Deploying the executor: Trigger.dev Cloud").
import { defineConfig } from "@trigger.dev/sdk";
import { triggerTaskLimits } from "./delivery/limits.ts";

export default defineConfig({
  // The project ref from the Trigger.dev dashboard (proj_…).
  project: process.env.TRIGGER_PROJECT_REF ?? "proj_replace_with_your_project_ref",
  dirs: ["trigger"],
  runtime: "node",
  maxDuration: triggerTaskLimits.max_duration_seconds,
  // No project-wide retry default: the one task sets its own (triggerTaskRetry in
  // delivery/limits.ts), next to its queue. Runs in `trigger.dev dev` are not retried.
  retries: { enabledInDev: false },
});
