// The dashboard end to end, in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) against the real local stack: the production build served by the Deno functions
// server next to /api/trigger/*, the real database, a local runner and the Twilio simulator with its
// signed status callbacks (and its signed incoming messages, for the Opt-outs page). Each page is checked with axe-core (no serious or critical violation) and
// photographed into .tmp/screenshots/ (git-ignored; docs/dashboard-overview.png is one of them).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import axe from "axe-core";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../dev/access-token.ts";
import { bundleBudgetGzipBytes, measureBundle, type BundleSize } from "../../dev/dashboard-build.ts";
import { projectRoot } from "../../dev/local-env.ts";
import { seededUsers } from "../support/database.ts";
import { startLocalStack, waitFor, type LocalStack } from "../support/local-stack.ts";

const chromiumPath = "/usr/bin/chromium";
const screenshotDir = path.join(projectRoot, ".tmp/screenshots");
const buildDir = path.join(projectRoot, ".tmp", `dashboard-e2e-${process.pid}`);

let stack: LocalStack;
let browser: Browser;
let bundle: BundleSize;
let baseUrl: string;
let ownerToken: string;
let startedAt: Date;
let recipientSeq = 0;
const contexts: BrowserContext[] = [];
/** Uncaught errors of each page; closePage fails the test on any. */
const pageErrors = new WeakMap<Page, string[]>();

/** A fresh allocated mobile number per message, so simulator traffic can be told apart. */
function nextRecipient(): string {
  recipientSeq += 1;
  // +614 and eight digits (an Australian mobile): four from the clock, two from the sequence.
  return `+61413${String(Date.now() % 10_000).padStart(4, "0")}${String(recipientSeq % 100).padStart(2, "0")}`;
}

async function createAs(token: string, route: string, body: Record<string, unknown>): Promise<string> {
  const answer = await stack.api(token, "POST", route, { workspaceId: "ws_demo", ...body });
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json.data.jobId as string;
}

/** A new browser context (its own storage: nobody signed in) and page. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on("pageerror", (error) => errors.push(error.message));
  return page;
}

async function closePage(page: Page): Promise<void> {
  await page.close();
  expect(pageErrors.get(page), "uncaught errors in the page").toEqual([]);
}

async function signInAs(page: Page, email: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole("button", { name: new RegExp(email.replace(".", "\\.")) }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}

interface AxeViolation { id: string; impact: string | null; help: string; targets: string[] }

/** axe-core over the page as it is now: no serious or critical violation. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  if (!await page.evaluate("typeof window.axe === 'object'")) await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) })))`) as AxeViolation[];
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(blocking, `${what}: ${JSON.stringify(blocking, null, 2)}`).toEqual([]);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

function row(page: Page, id: string) {
  return page.locator(`tr[data-id="${id}"]`);
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it)`);
  }
  mkdirSync(screenshotDir, { recursive: true });
  // This run's own production build (a process of its own: vitest's NODE_ENV=test stays out of it).
  const build = spawnSync(process.execPath, ["--import", "tsx", "dev/dashboard-build.ts", "--out-dir", buildDir], {
    cwd: projectRoot, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" },
  });
  if (build.status !== 0) throw new Error(`the dashboard build failed:\n${build.stdout}${build.stderr}`);
  bundle = measureBundle(buildDir);
  stack = await startLocalStack({}, { dashboardDir: buildDir, localSignIn: true });
  const [{ now } = { now: new Date() }] = await stack.sql<{ now: Date }[]>`select clock_timestamp() as now`;
  startedAt = now;
  await stack.startRunner(); // stopped with the stack
  baseUrl = stack.functions.dashboardUrl ?? "";
  ownerToken = await signUserToken({ userId: seededUsers.demoOwner.id, email: seededUsers.demoOwner.email });
  // A fresh temporary profile per launch (playwright-core creates and removes it); root needs --no-sandbox.
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run"],
  });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close();
  if (stack !== undefined) {
    // Schedules first, so no sweep materialises another occurrence; then this file's jobs.
    await stack.sql`delete from public.recurring_sms_schedules where created_at >= ${startedAt}`;
    await stack.sql`delete from public.scheduled_sms_jobs where created_at >= ${startedAt}`;
    await stack.sql`delete from public.sms_batches where created_at >= ${startedAt}`;
    await stack.sql`delete from public.message_templates where created_at >= ${startedAt}`;
    await stack.stop();
  }
  rmSync(buildDir, { recursive: true, force: true });
});

describe("the dashboard in Chromium", () => {
  it("ships under 250 KB of gzipped JavaScript", () => {
    console.log(`dashboard JavaScript, gzipped: ${(bundle.jsGzipBytes / 1024).toFixed(1)} KB`);
    expect(bundle.jsGzipBytes).toBeLessThan(bundleBudgetGzipBytes);
    expect(bundle.initialJsGzipBytes).toBe(bundle.jsGzipBytes); // local builds leave supabase-js out entirely
  });

  it("signs in as owner@demo.test from the sign-in page and opens the overview", async () => {
    const page = await newPage();
    await page.goto(baseUrl);
    await page.getByRole("heading", { name: "Local stack: choose a user" }).waitFor();
    await expectAccessible(page, "sign-in page");
    await screenshot(page, "sign-in");

    await page.getByRole("button", { name: /owner@demo\.test/ }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/w/ws_demo");
    await page.getByText("owner@demo.test · owner").waitFor();

    // A fresh load of the first screen, signed in: HTML, script, workspaces and figures (how fast
    // is the benchmark's to say: `npm run bench`).
    await page.goto(`${baseUrl}w/ws_demo`);
    await page.getByRole("link", { name: /^\d+ scheduled$/ }).waitFor();
    await page.locator(".chart canvas").first().waitFor();
    await expectAccessible(page, "overview");
    await closePage(page);
  }, 60_000);

  it("a message sent through the API appears in the list and turns delivered, without a reload", async () => {
    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Messages" }).click();
    await page.getByRole("heading", { name: "Messages" }).waitFor();
    await page.waitForLoadState("networkidle");
    await page.evaluate("window.__sameDocument = true");

    // As a user would see it: sent with curl, announced, shown, and delivered in place (the page is
    // never reloaded: window.__sameDocument survives). How fast is the benchmark's to say.
    const quick = await createAs(ownerToken, "send-sms", { to: nextRecipient(), body: "See you at 5pm!" });
    await page.getByRole("button", { name: /^\d+ new messages? — show$/ }).click();
    await row(page, quick).getByText("delivered").waitFor({ timeout: 20_000 });
    await expectAccessible(page, "messages");

    // Slower delivery reports, to watch the row change where it stands while nothing else moves.
    stack.simulator.configure({ callbacks: { statusDelayMs: 5_000 } });
    try {
      const slow = await createAs(ownerToken, "send-sms", { to: nextRecipient(), body: "Running 10 minutes late, sorry!" });
      const banner = page.getByRole("button", { name: /^1 new message — show$/ });
      await banner.waitFor();
      const before = await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));
      expect(before).not.toContain(slow);
      await banner.click();
      await row(page, slow).waitFor();
      expect(await row(page, slow).getByText("delivered").count()).toBe(0);
      // The new row takes its place by scheduled time; every other row keeps its order (a full
      // first page pushes its last row to the next page).
      const shown = await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));
      expect(shown).toContain(slow);
      const others = shown.filter((id) => id !== slow);
      expect(others).toEqual(before.slice(0, others.length));

      await row(page, slow).getByText("delivered").waitFor({ timeout: 30_000 });
      expect(await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")))).toEqual(shown);
      expect(await page.evaluate("window.__sameDocument")).toBe(true);
      await screenshot(page, "messages");
    } finally {
      stack.simulator.configure({ callbacks: { statusDelayMs: 100 } });
    }

    // Its timeline: each step, Twilio's SID and the delivery status.
    await row(page, quick).getByRole("link").click();
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    const events = page.locator("ol.timeline > li");
    await events.filter({ hasText: "delivered" }).first().waitFor();
    const types = await events.evaluateAll((items) => items.map((i) => i.getAttribute("data-event-type")));
    expect(types.slice(0, 2)).toEqual(["created", "claimed"]);
    // Twilio's first status callback may land before the runner records the send: any order after.
    expect(types).toContain("completed");
    expect(types).toContain("message_status");
    const [{ twilio_sid: sid } = { twilio_sid: "" }] = await stack.sql<{ twilio_sid: string }[]>`
      select twilio_sid from public.scheduled_sms_jobs where id = ${quick}`;
    expect(sid).toMatch(/^SM/);
    await events.filter({ hasText: sid }).first().waitFor();
    await expectAccessible(page, "message detail");
    await screenshot(page, "message-detail");
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    await closePage(page);
  }, 120_000);

  it("cancels a scheduled message from the UI, and it is never sent", async () => {
    const to = nextRecipient();
    // Due soon enough to wait for, late enough that signing in and cancelling come first on a busy machine.
    const due = new Date(Date.now() + 20_000);
    const jobId = await createAs(ownerToken, "schedule-until", { to, body: "Never sent", scheduledTime: due.toISOString() });
    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    await page.goto(`${baseUrl}w/ws_demo/messages/${jobId}`);
    await page.getByRole("heading", { name: `Message to ${to}` }).waitFor();

    await page.getByRole("button", { name: "Cancel message" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel this message?" });
    await dialog.waitFor();
    await expectAccessible(page, "cancel dialog");
    await screenshot(page, "cancel-dialog");
    await dialog.getByRole("button", { name: "Cancel message" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.locator(".fields").getByText("cancelled_by_user").waitFor();
    await page.locator("ol.timeline > li[data-event-type='cancelled']").waitFor();
    expect(await page.getByRole("button", { name: "Cancel message" }).count()).toBe(0);

    expect(Date.now(), "cancelled before its due time").toBeLessThan(due.getTime());
    await waitFor("its due time to pass", async () => (Date.now() > due.getTime() + 2_000 ? true : undefined), 25_000, 250);
    expect(stack.simulator.requests().filter((r) => r.to === to)).toEqual([]);
    const [job] = await stack.sql<{ status: string; attempts: number }[]>`select status, attempts from public.scheduled_sms_jobs where id = ${jobId}`;
    expect(job).toEqual({ status: "cancelled", attempts: 0 });
    await closePage(page);
  }, 60_000);

  it("shows a failed message's error code and what it means", async () => {
    const jobId = await createAs(ownerToken, "send-sms", { to: "+15005550009", body: "To a landline" }); // Twilio: not a mobile (21614)
    await waitFor("the job to fail", async () => {
      const [job] = await stack.sql<{ status: string }[]>`select status from public.scheduled_sms_jobs where id = ${jobId}`;
      return job?.status === "failed" ? true : undefined;
    });
    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    const failures = page.locator("tr[data-code='21614']");
    await failures.waitFor();
    expect(await failures.textContent()).toContain("not a mobile number");

    await page.getByRole("link", { name: /^\d+ failed$/ }).click();
    await page.getByRole("heading", { name: "Messages" }).waitFor();
    expect(new URL(page.url()).search).toBe("?status=failed");
    await row(page, jobId).locator(".error-code", { hasText: "21614" }).waitFor();
    await row(page, jobId).getByRole("link").click();
    const failed = page.locator("ol.timeline > li[data-event-type='failed']");
    await failed.waitFor();
    expect(await failed.locator(".error-code").textContent()).toBe("21614");
    expect(await failed.textContent()).toContain("not a mobile number");

    // The overview with this file's traffic: sent, delivered and failed, and the error code.
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Overview" }).click();
    await page.locator("tr[data-code='21614']").waitFor();
    await screenshot(page, "overview");
    await closePage(page);
  }, 60_000);

  it("analytics: the totals grow by a count of the mix's rows, failures carry their code and meaning, cost is Twilio's price", async () => {
    // The rollup keeps the history of jobs other tests deleted (their events went with them), so the
    // page is compared with the rows by what a mix adds: totals before, the mix, totals after.
    const inFlight = async (ids: string[]) => {
      const [left] = await stack.sql<{ n: number }[]>`
        select count(*)::int as n from public.scheduled_sms_jobs
        where workspace_id = 'ws_demo'
          and (status in ('queued', 'processing', 'retrying')
               or (id = any (${ids}) and not (status = 'failed' or message_status = 'delivered'))
               -- a recent send whose final status is still on its way
               or (status = 'completed' and message_status not in ('delivered', 'undelivered', 'failed')
                   and updated_at > now() - interval '30 seconds'))`;
      return left?.n === 0 ? true : undefined;
    };
    await waitFor("nothing in flight", () => inFlight([]), 30_000, 250);

    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Analytics" }).click();
    await page.getByRole("heading", { name: "Analytics", level: 1 }).waitFor();
    await page.getByLabel("Period").selectOption("24h");
    await page.getByLabel("Buckets").selectOption("hour");
    await page.waitForURL(/\?range=24h&granularity=hour$/);
    const totals = page.getByTestId("analytics-totals");
    await totals.waitFor();
    await page.locator(".chart canvas").first().waitFor();
    const figure = async (label: string) =>
      Number((await totals.locator("div.figure").filter({ has: page.getByText(label, { exact: true }) }).locator("dd strong").textContent())?.trim());
    const shown = async () => ({
      sent: await figure("Sent (accepted by Twilio)"), delivered: await figure("Delivered"),
      failed: await figure("Failed"), cancelled: await figure("Cancelled"),
    });
    const before = await shown();

    // A mix: three delivered, two refused by Twilio's magic numbers, one cancelled before its time.
    const delivered: string[] = [];
    for (let i = 0; i < 3; i++) delivered.push(await createAs(ownerToken, "send-sms", { to: nextRecipient(), body: `Analytics ${i}` }));
    const landline = await createAs(ownerToken, "send-sms", { to: "+15005550009", body: "Analytics: landline" }); // 21614
    const invalid = await createAs(ownerToken, "send-sms", { to: "+15005550001", body: "Analytics: invalid" }); // 21211
    const later = await createAs(ownerToken, "schedule-delay", { to: nextRecipient(), body: "Analytics: cancelled", delayMinutes: 30 });
    expect((await stack.api(ownerToken, "POST", "cancel-job", { workspaceId: "ws_demo", jobId: later })).status).toBe(200);
    const mine = [...delivered, landline, invalid, later];
    await waitFor("the mix to settle (final delivery statuses, failures) and nothing else in flight",
      () => inFlight([...delivered, landline, invalid]), 30_000, 250);

    // The mix's rows, counted in the event log.
    const [counted] = await stack.sql<{ sent: number; delivered: number; failed: number; cancelled: number }[]>`
      select count(*) filter (where event_type = 'completed')::int as sent,
             count(*) filter (where event_type = 'message_status' and details ->> 'to' = 'delivered')::int as delivered,
             count(*) filter (where event_type = 'failed'
                              or (event_type = 'message_status' and details ->> 'to' = 'failed'))::int as failed,
             count(*) filter (where event_type = 'cancelled')::int as cancelled
      from public.sms_job_events where job_id = any (${mine})`;
    expect(counted).toEqual({ sent: 3, delivered: 3, failed: 2, cancelled: 1 });
    // The page polls; its totals grow by exactly those rows.
    await expect.poll(shown, { timeout: 20_000 }).toEqual({
      sent: before.sent + (counted?.sent ?? 0), delivered: before.delivered + (counted?.delivered ?? 0),
      failed: before.failed + (counted?.failed ?? 0), cancelled: before.cancelled + (counted?.cancelled ?? 0),
    });

    await expect.poll(() => page.locator("tr[data-code='21614']").textContent()).toContain("not a mobile number");
    expect(await page.locator("tr[data-code='21211']").textContent()).toContain("Invalid 'To' phone number");
    // The simulator reports a price on each delivered message's final callback (USD).
    expect(await page.getByTestId("analytics-cost").getByRole("row", { name: /USD/ }).textContent()).toMatch(/USD0\.\d{4}/);

    await page.getByLabel("Group by").selectOption("sender");
    await page.getByTestId("analytics-groups").getByRole("rowheader", { name: "+15005550006" }).waitFor();
    await expectAccessible(page, "analytics");
    await screenshot(page, "analytics");
    await closePage(page);
  }, 90_000);

  it("schedules: shows the next runs, pauses and resumes after confirmation", async () => {
    const to = nextRecipient();
    const scheduleId = await createAs(ownerToken, "schedule-recurring", {
      to, body: "Weekly check-in: reply to book your session", cron: "0 9 * * MON", maxOccurrences: 10,
    });
    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Schedules" }).click();
    const schedule = row(page, scheduleId);
    await schedule.waitFor();
    expect(await schedule.locator("time").count()).toBe(3);
    await expectAccessible(page, "schedules");
    await screenshot(page, "schedules");

    await schedule.getByRole("button", { name: `Pause schedule to ${to}` }).click();
    await page.getByRole("dialog", { name: "Pause this schedule?" }).getByRole("button", { name: "Pause" }).click();
    await schedule.getByText("paused", { exact: true }).waitFor();
    await schedule.getByRole("button", { name: `Resume schedule to ${to}` }).click();
    await page.getByRole("dialog", { name: "Resume this schedule?" }).getByRole("button", { name: "Resume" }).click();
    await schedule.getByText("active", { exact: true }).waitFor();
    const [saved] = await stack.sql<{ status: string }[]>`select status from public.recurring_sms_schedules where id = ${scheduleId}`;
    expect(saved?.status).toBe("active");
    await closePage(page);
  }, 60_000);

  it("a viewer, signed in with #access_token, sees everything and has no action", async () => {
    const pending = await createAs(ownerToken, "schedule-delay", { to: nextRecipient(), body: "Tomorrow's reminder", delayMinutes: 1440 });
    const weekly = await createAs(ownerToken, "schedule-recurring", { to: nextRecipient(), body: "Monthly newsletter", cron: "0 10 1 * *" });
    const viewerToken = await signUserToken({ userId: seededUsers.demoViewer.id, email: seededUsers.demoViewer.email });
    const page = await newPage();
    await page.goto(`${baseUrl}w/ws_demo/messages/${pending}#access_token=${viewerToken}`);
    await page.getByRole("heading", { name: /^Message to/ }).waitFor();
    expect(page.url()).toBe(`${baseUrl}w/ws_demo/messages/${pending}`);
    await page.getByText(/^Read only/).waitFor();
    await page.getByText("viewer@demo.test · viewer").waitFor();
    await page.locator(".fields").getByText("scheduled", { exact: true }).waitFor();
    expect(await page.locator("main").getByRole("button").count()).toBe(0);
    await expectAccessible(page, "message detail (viewer)");

    await page.goto(`${baseUrl}w/ws_demo/schedules/${weekly}`);
    await page.getByRole("heading", { name: /^Schedule to/ }).waitFor();
    expect(await page.locator("main").getByRole("button").count()).toBe(0);

    await page.getByRole("link", { name: "Schedules", exact: true }).first().click();
    await row(page, weekly).waitFor();
    expect(await page.locator("table").getByRole("button").count()).toBe(0);
    expect(await page.getByRole("columnheader", { name: "Actions" }).count()).toBe(0);
    await expectAccessible(page, "schedules (viewer)");
    await screenshot(page, "schedules-viewer");
    await closePage(page);
  }, 60_000);

  it("templates: writes one with a live preview, saves it, and a message made from it names its version", async () => {
    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Templates" }).click();
    await page.getByRole("heading", { name: "Templates" }).waitFor();
    await page.getByRole("link", { name: "New template" }).click();
    const name = `Session reminder ${Date.now()}`;
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Text").fill("Hi {{ first_name | default: 'there' }}, see you at {{ time }}.");
    // The preview refuses what saving would, naming the merge field; one click declares it.
    await page.getByRole("alert").filter({ hasText: "first_name" }).waitFor();
    await page.getByRole("button", { name: "declare first_name" }).click();
    await page.getByRole("button", { name: "declare time" }).click();
    await page.getByLabel("time is required").check();
    const bubble = page.getByLabel("Rendered message");
    await page.getByText("time has no value and no default: sending would be refused").waitFor();
    expect(await bubble.textContent()).toBe("Hi there, see you at .");

    await page.getByLabel("Sample value of first_name").fill("Zoë");
    await page.getByLabel("Sample value of time").fill("5pm");
    await page.locator("[data-fact='encoding']", { hasText: "UCS-2" }).waitFor();
    expect(await bubble.textContent()).toBe("Hi Zoë, see you at 5pm.");
    expect(await bubble.locator("mark").allTextContents()).toEqual(["ë"]);
    await expectAccessible(page, "template editor");
    await screenshot(page, "template-editor");

    await page.getByRole("button", { name: "Create template" }).click();
    await page.getByRole("heading", { name, level: 1 }).waitFor();
    await page.getByText(/^Version 1/).waitFor();
    const [saved] = await stack.sql<{ id: string; version: number }[]>`
      select id, version from public.message_templates where workspace_id = 'ws_demo' and name = ${name}`;
    expect(saved?.version).toBe(1);

    const jobId = await createAs(ownerToken, "schedule-delay", {
      to: nextRecipient(), templateId: saved?.id, variables: { first_name: "Ann", time: "5pm" }, delayMinutes: 60,
    });
    await page.goto(`${baseUrl}w/ws_demo/messages/${jobId}`);
    const templateField = page.locator(".fields > div", { has: page.locator("dt", { hasText: /^Template$/ }) });
    await templateField.getByRole("link", { name: saved?.id ?? "" }).waitFor();
    expect(await templateField.textContent()).toContain("version 1");
    expect(await page.locator(".fields").getByText("Hi Ann, see you at 5pm.").count()).toBe(1);

    await page.goto(`${baseUrl}w/ws_demo/templates`);
    await row(page, saved?.id ?? "").waitFor();
    await expectAccessible(page, "templates");
    await screenshot(page, "templates");
    await closePage(page);
  }, 60_000);

  it("bulk send: a CSV list checked, previewed, sent in one request, and followed to delivered", async () => {
    const [first, second, third] = [nextRecipient(), nextRecipient(), nextRecipient()];
    const csvText = ["name,phone", `Ann,${first}`, `Bob,${second}`, `Cat,${third}`, `Dan,${first}`, "Eve,0412"].join("\n");
    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Bulk send" }).click();
    await page.getByRole("heading", { name: "Bulk send" }).waitFor();
    await page.getByRole("button", { name: "Plain text" }).click();
    await page.getByLabel("Text").fill("The studio is closed today: see you tomorrow!");
    await page.getByLabel(/CSV file/).setInputFiles({ name: "clients.csv", mimeType: "text/csv", buffer: Buffer.from(csvText) });
    await page.getByTestId("bulk-counts").filter({ hasText: "3 ready to send, 2 will be refused." }).waitFor();
    await page.getByLabel("Rendered message").first().waitFor();
    await expectAccessible(page, "bulk send");
    await screenshot(page, "bulk-send");

    await page.getByRole("button", { name: "Send 3 messages" }).click();
    await page.getByRole("dialog", { name: "Send 3 messages?" }).getByRole("button", { name: "Send 3 messages" }).click();
    await page.getByRole("heading", { name: "Batch" }).waitFor();
    const batchId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) ?? "");
    expect(batchId).toMatch(/^batch_/);
    // Followed without a reload until every message is delivered.
    await page.locator("[data-delivery='delivered'] .count-value", { hasText: /^3$/ }).waitFor({ timeout: 30_000 });
    await expectAccessible(page, "batch");
    await screenshot(page, "batch");
    const sent = stack.simulator.requests().filter((r) => [first, second, third].includes(r.to ?? ""));
    expect(sent.map((r) => r.to).sort()).toEqual([first, second, third].sort());

    await page.getByRole("link", { name: "Show this batch's messages" }).click();
    await page.getByRole("heading", { name: "Messages" }).waitFor();
    await page.locator("tbody tr").nth(2).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(3);
    await closePage(page);
  }, 90_000);

  it("opt-outs: a recipient's signed STOP shows with the messages it cancelled; an owner removes it with a reason", async () => {
    const recipient = nextRecipient();
    const jobId = await createAs(ownerToken, "schedule-delay", { to: recipient, body: "Class moved to Thursday", delayMinutes: 600 });
    const stop = await stack.simulator.sendInbound({
      url: `${stack.functions.functionsUrl}/twilio-inbound`, accountSid: `AC${"de".repeat(16)}`, from: recipient, to: "+15005550006", body: "Stop",
    });
    expect(stop.status).toBe(200);

    const page = await newPage();
    await signInAs(page, "owner@demo.test");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Opt-outs" }).click();
    await page.getByRole("heading", { name: "Opt-outs", level: 1 }).waitFor();
    await page.locator(`[data-testid="opt-outs-table"] tr[data-phone="${recipient}"]`, { hasText: "Replied STOP" }).waitFor();
    await page.locator(`[data-testid="inbound-table"] tr[data-sid="${stop.messageSid}"]`,
      { hasText: "Opted out; 1 pending message cancelled" }).waitFor();
    await expectAccessible(page, "opt-outs");
    await screenshot(page, "opt-outs");
    const cancelled = await stack.api(ownerToken, "GET", `job-status?jobId=${jobId}&workspaceId=ws_demo`);
    expect(cancelled.json.data).toMatchObject({ status: "cancelled", statusReason: "recipient_opted_out" });

    await page.getByRole("button", { name: `Remove the opt-out of ${recipient}` }).click();
    const dialog = page.getByRole("dialog", { name: `Message ${recipient} again?` });
    await dialog.getByLabel("Reason (kept in the history)").fill("Called the studio to get reminders again");
    await expectAccessible(page, "remove opt-out dialog");
    await screenshot(page, "opt-out-remove-dialog");
    await dialog.getByRole("button", { name: "Remove opt-out" }).click();
    await page.locator(`[data-testid="opt-outs-table"] tr[data-phone="${recipient}"]`).waitFor({ state: "detached" });
    await page.locator('[data-testid="opt-out-history"] tr', { hasText: "Called the studio to get reminders again" }).waitFor();
    expect((await stack.api(ownerToken, "POST", "send-sms", { workspaceId: "ws_demo", to: recipient, body: "Welcome back" })).status).toBe(200);
    await closePage(page);
  }, 60_000);

  it("settings: an owner saves au1 through sydney, a Trigger.dev region and quiet hours; the senders are listed with their country; a viewer has no form", async () => {
    const page = await newPage();
    try {
      await signInAs(page, "owner@demo.test");
      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Settings" }).click();
      await page.getByRole("heading", { name: "Settings" }).waitFor();
      await page.getByTestId("twilio-host").getByText("api.twilio.com").waitFor();
      const senders = page.getByRole("table", { name: "Senders" });
      await senders.getByText(/\+15005550006/).waitFor();
      const form = page.getByRole("form", { name: "Change the regions" });
      await form.getByLabel("Twilio region").selectOption("au1");
      await form.getByLabel("Twilio edge").selectOption("sydney");
      await form.getByLabel("Trigger.dev region").fill("ap-southeast-2");
      await form.getByRole("button", { name: "Save regions" }).click();
      await page.getByTestId("twilio-host").getByText("api.sydney.au1.twilio.com").waitFor();
      const [saved] = await stack.sql<{ twilio_region: string; twilio_edge: string; trigger_region: string }[]>`
        select twilio_region, twilio_edge, trigger_region from public.workspace_settings where workspace_id = 'ws_demo'`;
      expect(saved).toEqual({ twilio_region: "au1", twilio_edge: "sydney", trigger_region: "ap-southeast-2" });
      expect(await senders.locator('tr[data-sender="+15005550006"]').textContent()).toContain("US");
      const quiet = page.getByRole("form", { name: "Change the quiet hours" });
      await quiet.getByLabel("Hold marketing messages outside the window").check();
      await quiet.getByLabel("Send from").fill("09:00");
      await quiet.getByLabel("Send until").fill("20:00");
      await quiet.getByRole("button", { name: "Save quiet hours" }).click();
      await page.getByTestId("quiet-hours-summary").getByText("On: marketing messages are sent from 09:00 to 20:00").waitFor();
      const [quietSaved] = await stack.sql<{ enabled: boolean; start: string; end: string }[]>`
        select quiet_hours_enabled as enabled, quiet_hours_start::text as start, quiet_hours_end::text as "end"
        from public.workspace_settings where workspace_id = 'ws_demo'`;
      expect(quietSaved).toEqual({ enabled: true, start: "09:00:00", end: "20:00:00" });
      await expectAccessible(page, "settings");
      await screenshot(page, "settings");
      await closePage(page);

      const viewer = await newPage();
      await viewer.goto(`${baseUrl}w/ws_demo/settings#access_token=${await signUserToken({ userId: seededUsers.demoViewer.id, email: seededUsers.demoViewer.email })}`);
      await viewer.getByTestId("twilio-host").getByText("api.sydney.au1.twilio.com").waitFor();
      expect(await viewer.getByRole("form", { name: "Change the regions" }).count()).toBe(0);
      await closePage(viewer);
    } finally {
      await stack.sql`update public.workspace_settings set twilio_region = null, twilio_edge = null, trigger_region = null,
        quiet_hours_enabled = false, quiet_hours_start = '08:00', quiet_hours_end = '21:00' where workspace_id = 'ws_demo'`;
    }
  }, 60_000);
});
