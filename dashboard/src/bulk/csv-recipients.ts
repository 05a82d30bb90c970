// A customer list as a CSV file, turned into schedule-bulk recipients: the columns read by
// papaparse (header row first), one column mapped to the phone number and one to each of the
// template's merge fields, and the rows the API is sure to refuse found before sending.
import Papa from "papaparse";

export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
  /** Parse problems papaparse reported (row numbers count the header as row 1). */
  problems: string[];
}

export interface ColumnMapping {
  phone: string | null;
  /** Merge field → column ("" or absent: not from the file). */
  variables: Record<string, string>;
}

export interface RecipientRow {
  /** The row's number in the file (the header is row 1). */
  row: number;
  to: string;
  variables: Record<string, string>;
}

export function parseCsv(text: string): CsvTable {
  const result = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: "greedy",
    transformHeader: (header) => header.trim(),
  });
  const columns = (result.meta.fields ?? []).filter((c) => c !== "");
  const problems = result.errors.slice(0, 20).map((e) => (e.row === undefined ? e.message : `row ${e.row + 2}: ${e.message}`));
  return { columns, rows: result.data, problems };
}

const phoneNames = ["phone", "mobile", "cell", "number", "to", "phone_number", "mobile_number", "msisdn"];
const simplify = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");

/** The columns whose names say what they hold: a phone column, and each merge field's namesake. */
export function guessMapping(columns: readonly string[], mergeFields: readonly string[]): ColumnMapping {
  const phone = columns.find((c) => phoneNames.includes(simplify(c))) ?? columns.find((c) => /phone|mobile/i.test(c)) ?? null;
  const variables: Record<string, string> = {};
  for (const field of mergeFields) {
    const column = columns.find((c) => simplify(c) === simplify(field));
    if (column !== undefined && column !== phone) variables[field] = column;
  }
  return { phone, variables };
}

/** Spaces, dots, dashes and brackets people type in numbers; the API wants E.164 (+ and digits). */
export function normalisePhone(value: string): string {
  const trimmed = value.trim().replace(/[\s().-]/g, "");
  return trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed;
}

export function recipientsOf(table: CsvTable, mapping: ColumnMapping): RecipientRow[] {
  if (mapping.phone === null) return [];
  const phone = mapping.phone;
  return table.rows.map((row, i) => ({
    row: i + 2,
    to: normalisePhone(row[phone] ?? ""),
    variables: Object.fromEntries(Object.entries(mapping.variables)
      .filter(([, column]) => column !== "")
      .map(([field, column]) => [field, row[column] ?? ""])),
  }));
}

/** The shape of a number the API accepts (E.164); the API checks further (a real, allocated number). */
const e164 = /^\+[1-9][0-9]{6,14}$/;

export interface MergeField {
  name: string;
  required: boolean;
  default: string | null;
}

/** A row the API is sure to refuse, and why (the API may refuse a few more: opt-outs, unallocated numbers). */
export interface RowProblem {
  row: number;
  to: string;
  reason: string;
}

/** What the file will give, before sending: the rows sure to be refused, checked as the API checks them. */
export function rowProblems(recipients: readonly RecipientRow[], mergeFields: readonly MergeField[]): RowProblem[] {
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  for (const r of recipients) {
    if (!e164.test(r.to)) {
      problems.push({ row: r.row, to: r.to, reason: r.to === "" ? "no phone number" : "not a phone number in international format (+61412345678)" });
      continue;
    }
    const earlier = seen.get(r.to);
    if (earlier !== undefined) {
      problems.push({ row: r.row, to: r.to, reason: `the same number as row ${earlier}` });
      continue;
    }
    seen.set(r.to, r.row);
    const missing = mergeFields.filter((f) => f.required && f.default === null && (r.variables[f.name] ?? "").trim() === "");
    if (missing.length > 0) {
      problems.push({ row: r.row, to: r.to, reason: `no value for ${missing.map((f) => f.name).join(", ")}` });
    }
  }
  return problems;
}
