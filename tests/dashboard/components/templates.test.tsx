// @vitest-environment jsdom
// The Templates pages: the list (in use / archived), the editor's live preview made by the API from
// the unsaved draft, saving only what changed as a new version, archiving after confirmation, the
// viewer's read-only view, and a message's page naming its template and version.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PreviewResult, TemplateView } from "../../../supabase/functions/_shared/api-types.ts";
import { advance, demoWorkspace, fakeApi, job, renderDashboard, setUpComponentTests, viewerWorkspace } from "./support.tsx";

setUpComponentTests();

function template(fields: Partial<TemplateView> = {}): TemplateView {
  return {
    templateId: "tpl_reminder", workspaceId: "ws_demo", name: "Reminder",
    body: "Hi {{ first_name | default: 'there' }}, see you at {{ time }}.",
    variables: [{ name: "first_name", required: false, default: null }, { name: "time", required: true, default: null }],
    version: 3, archived: false, createdTime: "2026-11-30T09:00:00+10:00", updatedTime: "2026-11-30T10:00:00+10:00",
    ...fields,
  };
}

function preview(fields: Partial<PreviewResult> = {}): PreviewResult {
  return {
    body: "Hi there, see you at .", characters: 22, encoding: "GSM-7", segments: 1, nonGsmCharacters: [],
    missingVariables: ["time"], warnings: ["time has no value and no default: sending would be refused"], template: null, ...fields,
  };
}

describe("templates list", () => {
  it("shows templates in use with their merge fields and version, archived ones on request", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      templates: () => ({ data: { templates: [template(), template({ templateId: "tpl_old", name: "Old promo", archived: true, body: "Sale!", variables: [] })] } }),
    });
    renderDashboard("/w/ws_demo/templates");
    const table = await screen.findByRole("table", { name: "Templates in use" });
    const row = within(table).getAllByRole("row")[1] as HTMLElement;
    expect(within(row).getByRole("link", { name: "Reminder" }).getAttribute("href")).toBe("/w/ws_demo/templates/tpl_reminder");
    expect(within(row).getByText("time*")).toBeTruthy();
    expect(within(row).getByText("3")).toBeTruthy();
    expect(within(table).queryByText("Old promo")).toBeNull();
    expect(screen.getByRole("link", { name: "New template" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Archived" }));
    const archived = await screen.findByRole("table", { name: "Archived templates" });
    expect(within(archived).getByText("Old promo")).toBeTruthy();
  });
});

describe("template editor", () => {
  it("previews the unsaved draft through the API as the user types, with sample values and the characters forcing UCS-2", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      templates: () => ({ data: { templates: [template()] } }),
      "preview-message": (call) => {
        const request = call.body as { variables?: Record<string, string> };
        return request.variables?.first_name === "Zoë"
          ? { data: preview({ body: "Hi Zoë, see you at 5pm.", characters: 23, encoding: "UCS-2", nonGsmCharacters: ["ë"], missingVariables: [], warnings: ["ë is not in the GSM-7 alphabet"] }) }
          : { data: preview() };
      },
    });
    renderDashboard("/w/ws_demo/templates/tpl_reminder");
    expect((await screen.findByRole("heading", { level: 1 })).textContent).toBe("Reminder");
    await advance(400);
    const bubble = await screen.findByLabelText("Rendered message");
    expect(bubble.textContent).toBe("Hi there, see you at .");
    expect(screen.getByText(/time has no value/)).toBeTruthy();
    expect(api.callsTo("preview-message")[0]?.body).toEqual({
      workspaceId: "ws_demo",
      draft: { body: template().body, variables: template().variables },
      variables: {},
    });

    fireEvent.change(screen.getByLabelText("Sample value of first_name"), { target: { value: "Zoë" } });
    fireEvent.change(screen.getByLabelText("Sample value of time"), { target: { value: "5pm" } });
    await advance(400);
    await waitFor(() => expect(screen.getByLabelText("Rendered message").textContent).toBe("Hi Zoë, see you at 5pm."));
    // Typing two values asked once, after the pause.
    expect(api.callsTo("preview-message")).toHaveLength(2);
    const marked = screen.getByLabelText("Rendered message").querySelectorAll("mark");
    expect([...marked].map((m) => m.textContent)).toEqual(["ë"]);
    const facts = screen.getByTestId("message-preview");
    expect(facts.querySelector('[data-fact="encoding"]')?.textContent).toBe("UCS-2");
    expect(facts.querySelector('[data-fact="segments"]')?.textContent).toBe("1");
  });

  it("shows the API's refusal of an undeclared merge field, offers to declare it, and saves only what changed", async () => {
    let saved = template();
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      templates: () => ({ data: { templates: [saved] } }),
      "preview-message": (call) => {
        const draft = (call.body as { draft: { body: string; variables: { name: string }[] } }).draft;
        return draft.body.includes("{{ place }}") && !draft.variables.some((v) => v.name === "place")
          ? { status: 400, code: "template_invalid", message: "the template uses place, which is not one of its variables" }
          : { data: preview() };
      },
      "update-template": (call) => {
        saved = { ...saved, ...(call.body as Partial<TemplateView>), version: saved.version + 1 };
        return { data: saved };
      },
    });
    renderDashboard("/w/ws_demo/templates/tpl_reminder");
    const text = await screen.findByLabelText("Text");
    fireEvent.change(text, { target: { value: "See you at {{ time }} in {{ place }}." } });
    await advance(400);
    expect((await screen.findByRole("alert")).textContent).toBe("the template uses place, which is not one of its variables");

    fireEvent.click(screen.getByRole("button", { name: "declare place" }));
    await advance(400);
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(screen.getByLabelText("Name of place")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Save as new version" }));
    expect(await screen.findByText("Saved: version 4.")).toBeTruthy();
    expect(api.callsTo("update-template")[0]?.body).toEqual({
      workspaceId: "ws_demo", templateId: "tpl_reminder", body: "See you at {{ time }} in {{ place }}.",
      variables: [...template().variables, { name: "place", required: false, default: null }],
    });
  });

  it("archives after confirmation and goes back to the list", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      templates: () => ({ data: { templates: [template()] } }),
      "preview-message": () => ({ data: preview() }),
      "archive-template": () => ({ data: template({ archived: true }) }),
    });
    renderDashboard("/w/ws_demo/templates/tpl_reminder");
    fireEvent.click(await screen.findByRole("button", { name: "Archive template" }));
    expect(api.callsTo("archive-template")).toHaveLength(0);
    fireEvent.click(within(screen.getByRole("dialog", { name: "Archive this template?" })).getByRole("button", { name: "Archive" }));
    await waitFor(() => expect(window.location.pathname).toBe("/w/ws_demo/templates"));
    expect(api.callsTo("archive-template")[0]?.body).toEqual({ workspaceId: "ws_demo", templateId: "tpl_reminder" });
  });

  it("creates a new template and opens it", async () => {
    const created = template({ templateId: "tpl_new", name: "Welcome", body: "Welcome!", variables: [], version: 1 });
    let stored: TemplateView[] = [];
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      templates: () => ({ data: { templates: stored } }),
      "preview-message": () => ({ data: preview({ body: "Welcome!", missingVariables: [], warnings: [] }) }),
      "create-template": () => {
        stored = [created];
        return { data: created };
      },
    });
    renderDashboard("/w/ws_demo/templates/new");
    fireEvent.change(await screen.findByLabelText("Name"), { target: { value: "Welcome" } });
    fireEvent.change(screen.getByLabelText("Text"), { target: { value: "Welcome!" } });
    fireEvent.click(screen.getByRole("button", { name: "Create template" }));
    await waitFor(() => expect(window.location.pathname).toBe("/w/ws_demo/templates/tpl_new"));
    expect(api.callsTo("create-template")[0]?.body).toEqual({ workspaceId: "ws_demo", name: "Welcome", body: "Welcome!", variables: [] });
    expect((await screen.findByRole("heading", { level: 1 })).textContent).toBe("Welcome");
  });

  it("gives a viewer the preview and no way to change the template", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }),
      templates: () => ({ data: { templates: [template()] } }),
      "preview-message": () => ({ data: preview() }),
    });
    renderDashboard("/w/ws_demo/templates/tpl_reminder");
    expect((await screen.findByLabelText("Text")).matches(":disabled")).toBe(true);
    expect(screen.getByLabelText("Name of time").matches(":disabled")).toBe(true);
    expect(screen.getByLabelText("Sample value of time").matches(":disabled")).toBe(false);
    expect(screen.queryAllByRole("button").map((b) => b.textContent)).toEqual(["Sign out"]);
    await advance(400);
    expect((await screen.findByLabelText("Rendered message")).textContent).toBe("Hi there, see you at .");
  });
});

describe("a message made from a template", () => {
  it("names the template and version, the values used, and the segments (Twilio's count when it differs)", async () => {
    const sent = job({
      status: "completed", messageStatus: "delivered", body: "Hi Ann, see you at 5pm.",
      template: { templateId: "tpl_reminder", version: 3, variables: { first_name: "Ann", time: "5pm" } },
      encoding: "GSM-7", segments: 1, twilioSegments: 2,
    });
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: sent }),
      "job-events": () => ({ data: { jobId: sent.jobId, kind: "job", events: [], truncated: false } }),
    });
    renderDashboard(`/w/ws_demo/messages/${sent.jobId}`);
    const templateField = (await screen.findByText("Template", { selector: "dt" })).nextElementSibling as HTMLElement;
    expect(within(templateField).getByRole("link", { name: "tpl_reminder" }).getAttribute("href")).toBe("/w/ws_demo/templates/tpl_reminder");
    expect(templateField.textContent).toContain("version 3");
    expect(templateField.textContent).toContain("first_name: Ann");
    const segments = screen.getByText("Segments", { selector: "dt" }).nextElementSibling as HTMLElement;
    expect(segments.textContent).toBe("1 (GSM-7) Twilio counted 2");
  });
});
