// @vitest-environment jsdom
// Bulk send: a CSV customer list mapped to the phone number and the template's merge fields, the
// rows sure to be refused listed before sending, the first rows previewed by the API, one
// schedule-bulk request with the rows that are ready, then the batch's page and its messages.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { BatchStatusResult, ScheduleBulkResult, TemplateView } from "../../../supabase/functions/_shared/api-types.ts";
import { demoWorkspace, fakeApi, job, page, renderDashboard, setUpComponentTests, stats, viewerWorkspace } from "./support.tsx";

setUpComponentTests();

const reminder: TemplateView = {
  templateId: "tpl_reminder", workspaceId: "ws_demo", name: "Reminder",
  body: "Hi {{ first_name | default: 'there' }}, see you at {{ time }}.",
  variables: [{ name: "first_name", required: false, default: null }, { name: "time", required: true, default: null }],
  version: 2, archived: false, createdTime: "2026-11-30T09:00:00+10:00", updatedTime: "2026-11-30T10:00:00+10:00",
};

const csv = [
  "First Name,Mobile,time",
  "Ann,+61 412 345 601,5pm",
  "Bob,0412345602,6pm", // not international: refused before sending
  "Cat,+61412345603,", // no time: refused
  "Dan,+61412345601,7pm", // the same number as row 2
  "Eve,+61412345605,8pm",
].join("\n");

function batchStatus(fields: Partial<BatchStatusResult> = {}): BatchStatusResult {
  return {
    batchId: "batch_abc", workspaceId: "ws_demo", createdTime: "2026-11-30T10:00:00+10:00", createdBy: null,
    scheduledTime: "2026-11-30T10:00:00+10:00", template: { templateId: "tpl_reminder", version: 2 }, metadata: {},
    accepted: 1, rejected: 1, total: 1,
    counts: { scheduled: 0, queued: 1, processing: 0, retrying: 0, completed: 0, failed: 0, cancelled: 0 },
    messageStatuses: { none: 1 },
    ...fields,
  };
}

async function upload(text: string): Promise<void> {
  const input = await screen.findByLabelText(/CSV file/);
  fireEvent.change(input, { target: { files: [new File([text], "clients.csv", { type: "text/csv" })] } });
  await screen.findByTestId("file-summary");
}

describe("bulk send", () => {
  it("maps the columns, lists the rows sure to be refused, previews the first rows, and sends the rest in one request", async () => {
    const sentResult: ScheduleBulkResult = {
      batchId: "batch_abc", accepted: 1, rejected: 1, scheduledTime: "2026-11-30T10:00:00+10:00",
      items: [
        { index: 0, to: "+61412345601", jobId: "job_1" },
        { index: 1, to: "+61412345605", jobId: null, error: { code: "recipient_opted_out", message: "+61412345605 opted out of this workspace's messages" } },
      ],
    };
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      templates: () => ({ data: { templates: [reminder] } }),
      "preview-message": (call) => {
        const variables = (call.body as { variables: Record<string, string> }).variables;
        const body = `Hi ${variables.first_name}, see you at ${variables.time}.`;
        return { data: { body, characters: body.length, encoding: "GSM-7", segments: 1, nonGsmCharacters: [], missingVariables: [], warnings: [], template: null } };
      },
      // The first answer is lost (the gateway times out); the retry is the same request with the same key.
      "schedule-bulk": () => ({ status: 504, code: "gateway_timeout", message: "The gateway timed out." }),
      "batch-status": () => ({ data: batchStatus() }),
    });
    renderDashboard("/w/ws_demo/bulk");
    fireEvent.change(await screen.findByLabelText("Template"), { target: { value: "tpl_reminder" } });
    await upload(csv);

    // Guessed from the headers: "Mobile" is the number, "First Name" is first_name, "time" is time.
    expect((screen.getByLabelText("Phone number") as HTMLSelectElement).value).toBe("Mobile");
    expect((screen.getByLabelText("first_name") as HTMLSelectElement).value).toBe("First Name");
    expect((screen.getByLabelText("time (required)") as HTMLSelectElement).value).toBe("time");
    expect(screen.getByTestId("bulk-counts").textContent).toBe("2 ready to send, 3 will be refused.");
    const refused = within(screen.getByRole("table", { name: "Rows that will be refused" }));
    expect(refused.getAllByRole("row").slice(1).map((r) => r.textContent)).toEqual([
      "30412345602not a phone number in international format (+61412345678)",
      "4+61412345603no value for time",
      "5+61412345601the same number as row 2",
    ]);

    await waitFor(() => expect(screen.getAllByLabelText("Rendered message").map((b) => b.textContent))
      .toEqual(["Hi Ann, see you at 5pm.", "Hi Eve, see you at 8pm."]));
    expect(api.callsTo("preview-message")[0]?.body).toEqual({
      workspaceId: "ws_demo", templateId: "tpl_reminder", variables: { first_name: "Ann", time: "5pm" }, to: "+61412345601",
    });

    fireEvent.click(screen.getByRole("button", { name: "Send 2 messages" }));
    expect(api.callsTo("schedule-bulk")).toHaveLength(0);
    const dialog = within(screen.getByRole("dialog", { name: "Send 2 messages?" }));
    fireEvent.click(dialog.getByRole("button", { name: "Send 2 messages" }));
    expect((await dialog.findByRole("alert")).textContent).toBe("The gateway timed out.");
    api.on("schedule-bulk", () => ({ data: sentResult }));
    fireEvent.click(dialog.getByRole("button", { name: "Send 2 messages" }));
    await waitFor(() => expect(window.location.pathname).toBe("/w/ws_demo/bulk/batch_abc"));
    const keys = api.callsTo("schedule-bulk").map((c) => c.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(api.callsTo("schedule-bulk")[0]?.body).toEqual({
      workspaceId: "ws_demo", templateId: "tpl_reminder",
      recipients: [
        { to: "+61412345601", variables: { first_name: "Ann", time: "5pm" } },
        { to: "+61412345605", variables: { first_name: "Eve", time: "8pm" } },
      ],
    });

    // The batch page: its figures, and the recipient the API refused, by its row in the file.
    await waitFor(() => expect(document.querySelector("[data-figure='accepted']")?.textContent).toBe("1"));
    const afterSend = within(screen.getByRole("table", { name: "Recipients refused when the batch was sent" }));
    expect(afterSend.getAllByRole("row")[1]?.textContent).toBe("6+61412345605recipient_opted_out+61412345605 opted out of this workspace's messages");
    expect(screen.getByRole("link", { name: "Show this batch's messages" }).getAttribute("href")).toBe("/w/ws_demo/messages?batch=batch_abc");
  });

  it("refuses a file over the batch limit before anything is sent", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      templates: () => ({ data: { templates: [] } }),
    });
    renderDashboard("/w/ws_demo/bulk");
    fireEvent.click(await screen.findByRole("button", { name: "Plain text" }));
    fireEvent.change(screen.getByLabelText("Text"), { target: { value: "Store closed today" } });
    const rows = Array.from({ length: 10_001 }, (_, i) => `+614${String(10_000_000 + i)}`);
    await upload(["phone", ...rows].join("\n"));
    expect((await screen.findByRole("alert")).textContent).toMatch(/10001 rows; one batch takes at most 10000/);
    expect((screen.getByRole("button", { name: /^Send 10001 messages$/ }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("gives a viewer the check and no send", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }),
      templates: () => ({ data: { templates: [reminder] } }),
      "preview-message": () => ({ data: { body: "Hi", characters: 2, encoding: "GSM-7", segments: 1, nonGsmCharacters: [], missingVariables: [], warnings: [], template: null } }),
    });
    renderDashboard("/w/ws_demo/bulk");
    fireEvent.change(await screen.findByLabelText("Template"), { target: { value: "tpl_reminder" } });
    await upload(csv);
    expect(screen.getByText("Viewers cannot send.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /^Send/ })).toBeNull();
  });
});

describe("messages of a batch", () => {
  it("lists only the batch's jobs, says so, and clears the filter", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
      jobs: () => page([job({ body: "Hi Ann, see you at 5pm." })]),
    });
    renderDashboard("/w/ws_demo/messages?batch=batch_abc");
    await screen.findByText("Hi Ann, see you at 5pm.");
    expect(api.callsTo("jobs")[0]?.query.get("batchId")).toBe("batch_abc");
    expect(screen.getByRole("link", { name: "batch_abc" }).getAttribute("href")).toBe("/w/ws_demo/bulk/batch_abc");
    fireEvent.click(screen.getByRole("button", { name: "Show all messages" }));
    await waitFor(() => expect(window.location.search).toBe(""));
  });
});
