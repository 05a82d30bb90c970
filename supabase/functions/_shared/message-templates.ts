// Message templates: a safe subset of Liquid through liquidjs. Merge fields are plain names
// ({{ first_name }}), with the filters default, upcase, downcase, capitalize and truncate, and
// if / elsif / else; nothing else parses (no includes, no file access, no assignments or loops).
// A template declares its variables; one that uses an undeclared name or an unknown filter is
// refused when saved, naming it. Rendering never leaves a merge field silently blank: a required
// variable without a value and without a default is refused (template_variable_missing); an
// optional one renders as nothing, which `default` can replace.
import { Liquid, type Template } from "liquidjs";
import { apiLimits, databaseLimits } from "./limits.ts";

export interface TemplateVariable {
  name: string;
  required: boolean;
  /** Used when the message gives no value (or only whitespace). */
  default: string | null;
}

export const allowedFilters = ["default", "upcase", "downcase", "capitalize", "truncate"] as const;
/** `if` brings its elsif / else branches. */
const allowedTags = ["if"];

/** A template the API refuses, with what to tell the client. */
export class TemplateRefusal extends Error {
  constructor(
    readonly code: "template_invalid" | "template_variable_missing",
    message: string,
    /** The variables it is about, or the filter or tag it names. */
    readonly names: string[] = [],
  ) {
    super(message);
    this.name = "TemplateRefusal";
  }
}

/** Only never-throwing file access: includes and layouts are not tags of this engine anyway. */
const noFiles = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: () => Promise.reject(new Error("templates cannot read files")),
  readFileSync: () => { throw new Error("templates cannot read files"); },
  resolve: (_root: string, file: string) => file,
};

function createEngine(): Liquid {
  const engine = new Liquid({
    strictFilters: true,
    strictVariables: true,
    ownPropertyOnly: true,
    cache: false,
    fs: noFiles,
    root: [],
    relativeReference: false,
    parseLimit: databaseLimits.template_body_max_chars,
    renderLimit: apiLimits.template_render_ms,
    memoryLimit: apiLimits.template_render_memory,
  });
  // What is not on the allow-lists does not exist for this engine: parsing it fails, naming it.
  for (const name of Object.keys(engine.filters)) {
    if (!(allowedFilters as readonly string[]).includes(name)) Reflect.deleteProperty(engine.filters, name);
  }
  for (const name of Object.keys(engine.tags)) {
    if (!allowedTags.includes(name)) Reflect.deleteProperty(engine.tags, name);
  }
  return engine;
}

const engine = createEngine();

function describeParseError(error: unknown): TemplateRefusal {
  const text = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
  const filter = /undefined filter: ([^,\s]+)/.exec(text)?.[1];
  if (filter !== undefined) {
    return new TemplateRefusal("template_invalid",
      `the body uses the filter \`${filter}\`, which templates do not have (they have ${allowedFilters.join(", ")})`, [filter]);
  }
  const tag = /tag "([^"]+)" not found/.exec(text)?.[1];
  if (tag !== undefined) {
    return new TemplateRefusal("template_invalid",
      `the body uses the tag \`${tag}\`, which templates do not have (they have if / elsif / else)`, [tag]);
  }
  return new TemplateRefusal("template_invalid", `the body is not a valid template: ${text.replace(/, line:\d+, col:\d+$/, "")}`);
}

/** Parses the body and checks it against the declared variables; throws TemplateRefusal. */
export function checkTemplate(body: string, variables: readonly TemplateVariable[]): Template[] {
  let parsed: Template[];
  try {
    parsed = engine.parse(body);
  } catch (error) {
    throw describeParseError(error);
  }
  const declared = new Set(variables.map((variable) => variable.name));
  const used = engine.variableSegmentsSync(parsed);
  const withPath = used.find((segments) => segments.length > 1);
  if (withPath !== undefined) {
    const name = String(withPath[0]);
    throw new TemplateRefusal("template_invalid",
      `the body reads a part of \`${name}\` (${withPath.join(".")}): merge fields are plain names such as {{ ${name} }}`, [name]);
  }
  const undeclared = [...new Set(used.map((segments) => String(segments[0])))].filter((name) => !declared.has(name));
  if (undeclared.length > 0) {
    throw new TemplateRefusal("template_invalid",
      `the body uses ${undeclared.map((name) => `\`${name}\``).join(", ")}, which ${undeclared.length === 1 ? "is not a declared variable" : "are not declared variables"}`,
      undeclared);
  }
  return parsed;
}

/** Templates that passed checkTemplate, by body and variables, least recently used first. */
const checkedTemplates = new Map<string, Template[]>();

/** checkTemplate, remembered: sending one template to many recipients parses it once. */
function checkedTemplate(body: string, variables: readonly TemplateVariable[]): Template[] {
  const key = JSON.stringify([body, variables.map((v) => v.name)]);
  const cached = checkedTemplates.get(key);
  if (cached !== undefined) {
    checkedTemplates.delete(key);
    checkedTemplates.set(key, cached);
    return cached;
  }
  const parsed = checkTemplate(body, variables);
  checkedTemplates.set(key, parsed);
  if (checkedTemplates.size > apiLimits.template_cache_entries) {
    const oldest = checkedTemplates.keys().next().value;
    if (oldest !== undefined) checkedTemplates.delete(oldest);
  }
  return parsed;
}

export interface ResolvedValues {
  /** Each declared variable's value as rendered: the given one, else its default, else null. */
  values: Record<string, string | null>;
  /** Required variables with neither a value nor a default. */
  missing: string[];
}

/** What each declared variable renders as; values for undeclared names are the caller's to refuse. */
export function resolveValues(variables: readonly TemplateVariable[], given: Readonly<Record<string, string>>): ResolvedValues {
  const values: Record<string, string | null> = {};
  const missing: string[] = [];
  for (const variable of variables) {
    const value = Object.hasOwn(given, variable.name) ? given[variable.name] : undefined;
    const resolved = value !== undefined && value.trim() !== "" ? value : variable.default;
    if (resolved === null && variable.required) missing.push(variable.name);
    values[variable.name] = resolved;
  }
  return { values, missing };
}

/**
 * Renders a template with resolved values. Missing required variables are refused unless
 * `allowMissing` (a preview), which renders them as nothing and leaves saying so to the caller.
 */
export function renderTemplate(body: string, variables: readonly TemplateVariable[], resolved: ResolvedValues,
  options: { allowMissing?: boolean } = {}): string {
  const parsed = checkedTemplate(body, variables);
  if (resolved.missing.length > 0 && options.allowMissing !== true) {
    throw new TemplateRefusal("template_variable_missing",
      `no value for ${resolved.missing.map((name) => `\`${name}\``).join(", ")}, which the template requires and has no default for`,
      resolved.missing);
  }
  // A scope without a prototype: a variable named `constructor` is just a variable.
  const scope: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  for (const variable of variables) scope[variable.name] = resolved.values[variable.name] ?? null;
  try {
    return String(engine.renderSync(parsed, scope));
  } catch (error) {
    const text = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
    throw new TemplateRefusal("template_invalid", `the template could not be rendered: ${text.replace(/, line:\d+, col:\d+$/, "")}`);
  }
}
