// The dashboard as its users meet it, in Debian's Chromium against the real stack: how long a fresh
// load of the overview takes to be usable (signed in by #access_token: HTML, script, workspaces and
// figures), and how long a message sent through the API takes to be announced in the open message
// list and to show delivered there, with status callbacks flowing as in `npm start`.
import { chromium } from "playwright-core";
import { signUserToken } from "../../dev/access-token.ts";
import { startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import type { BenchStack } from "../bench-stack.ts";
import { distribution, type Distribution } from "../stats.ts";

export interface DashboardTimings {
  /** Navigation to the overview's status counts on screen, ms. */
  firstScreenMs: Distribution;
  /** API send to the "N new" announcement in the open list, ms. */
  announcedMs: Distribution;
  /** API send to "delivered" in the list (the reader clicks the announcement at once), ms. */
  deliveredMs: Distribution;
}

const owner = { userId: "00000000-0000-4000-8000-000000000001", email: "owner@demo.test" };

export async function measureDashboardInBrowser(stack: BenchStack, dashboardDir: string, samples: number): Promise<DashboardTimings> {
  await stack.clearJobs();
  const server = await startFunctionsServer({
    functionsPort: 0, apiPort: 0, dashboardDir,
    env: { SUPABASE_DB_URL: stack.url, SUPABASE_JWT_SECRET: localAuth.jwtSecret },
  });
  const runners = await stack.startRunners(1, { statusCallbackUrl: `${server.functionsUrl}/twilio-status` });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--no-first-run"],
  });
  try {
    const token = await signUserToken(owner);
    const base = server.dashboardUrl ?? "";
    const firstScreen: number[] = [];
    for (let i = 0; i < samples + 1; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(`${base}w/ws_demo#access_token=${token}`);
      await page.getByRole("link", { name: /^\d+ scheduled$/ }).waitFor();
      if (i > 0) firstScreen.push(Date.now() - started); // the first load warms the server
      await context.close();
    }

    const announced: number[] = [];
    const delivered: number[] = [];
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}w/ws_demo/messages#access_token=${token}`);
    await page.getByRole("heading", { name: "Messages" }).waitFor();
    await page.waitForLoadState("networkidle");
    for (let i = 0; i < samples; i++) {
      const sentAt = Date.now();
      const response = await fetch(`${server.apiUrl}/trigger/send-sms`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ to: `+6141200${String(i).padStart(4, "0")}`, body: `Bench ${i}`, workspaceId: "ws_demo" }),
      });
      const { data } = await response.json() as { data: { jobId: string } };
      const banner = page.getByRole("button", { name: /new messages? — show$/ });
      await banner.waitFor({ timeout: 30_000 });
      announced.push(Date.now() - sentAt);
      await banner.click();
      await page.locator(`tbody tr[data-id="${data.jobId}"]`).getByText("delivered").waitFor({ timeout: 30_000 });
      delivered.push(Date.now() - sentAt);
    }
    await context.close();
    return { firstScreenMs: distribution(firstScreen), announcedMs: distribution(announced), deliveredMs: distribution(delivered) };
  } finally {
    await browser.close();
    await stack.stopRunners(runners);
    await server.stop();
  }
}
