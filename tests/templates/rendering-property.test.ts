// Property tests: rendering a template never fails in an undocumented way, whatever the values —
// Liquid syntax, NUL, huge strings, names JavaScript objects treat specially — and a value is
// always rendered as the text it is (never evaluated as Liquid itself).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  renderTemplate, resolveValues, TemplateRefusal, type TemplateVariable,
} from "../../supabase/functions/_shared/message-templates.ts";

const specialNames = ["constructor", "toString", "valueOf", "hasOwnProperty", "prototype", "isPrototypeOf"];
const liquidish = fc.constantFrom("{{ time }}", "{% if x %}", "{{", "}}", "{%", "%}", "| upcase", "\u0000", "\\", "'", "\"");
const value = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.array(liquidish, { maxLength: 8 }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.nat({ max: 5000 }).map((n) => "x".repeat(n)),
  fc.constant("   "),
);

describe("rendering with arbitrary values", () => {
  it("returns the text with each value verbatim, or refuses a missing required one — nothing else", () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.oneof(fc.constantFrom(...specialNames), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,10}$/)), { minLength: 1, maxLength: 6 }),
      fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...specialNames, "__proto__"), fc.string({ maxLength: 8 })), value, { maxKeys: 8 }),
      (names, required, given) => {
        const variables: TemplateVariable[] = names.map((name, i) => ({ name, required: required[i] ?? false, default: null }));
        const body = variables.map((v) => `[{{ ${v.name} }}]`).join(" ");
        const resolved = resolveValues(variables, given);
        try {
          const text = renderTemplate(body, variables, resolved);
          const expected = variables.map((v) => `[${resolved.values[v.name] ?? ""}]`).join(" ");
          expect(text).toBe(expected);
        } catch (error) {
          expect(error).toBeInstanceOf(TemplateRefusal);
          expect((error as TemplateRefusal).code).toBe("template_variable_missing");
          expect(resolved.missing.length).toBeGreaterThan(0);
        }
        // Nothing leaked onto objects' prototypes.
        expect(({} as Record<string, unknown>).time).toBeUndefined();
      },
    ), { numRuns: 500 });
  });
});

describe("a template rendered again (parsed once, then remembered)", () => {
  it("still refuses the same body with other declared variables, and renders each message's own values", () => {
    const body = "See you at {{ time }}, {{ name | default: 'there' }}.";
    const declared = [{ name: "time", required: true, default: null }, { name: "name", required: false, default: null }];
    expect(renderTemplate(body, declared, resolveValues(declared, { time: "5pm", name: "Ann" }))).toBe("See you at 5pm, Ann.");
    expect(renderTemplate(body, declared, resolveValues(declared, { time: "6pm" }))).toBe("See you at 6pm, there.");
    const fewer = declared.slice(0, 1);
    expect(() => renderTemplate(body, fewer, resolveValues(fewer, { time: "5pm" }))).toThrow(TemplateRefusal);
    expect(() => renderTemplate(body, declared, resolveValues(declared, {}))).toThrow(/time/);
  });
});
