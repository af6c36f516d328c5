import "server-only";
import { AppError } from "@/server/errors";
import type { Reply } from "@/server/platform-api/router";

// Heroku's list paging: `Range: <field> [start]..[end]; max=<n>, order=<asc|desc>`.
// A start written `]v` is exclusive; that is how `Next-Range` resumes after the last row
// of a page. The CLI follows `Next-Range` itself unless it asked for one page only.

const DEFAULT_MAX = 200;
const MAX_MAX = 1000;

export type RangeSpec = {
  field: string;
  start: string | null;
  startExclusive: boolean;
  end: string | null;
  max: number;
  order: "asc" | "desc";
};

type Key<T> = (row: T) => string | number;

export function parseRange(header: string | null, fields: readonly string[]): RangeSpec | null {
  if (!header?.trim()) return null;
  const match = /^\s*([A-Za-z_]+)\s+([[\]]?)(.*?)\.\.([^;]*?)\s*(?:;(.*))?$/.exec(header);
  if (!match) throw new AppError("BAD_REQUEST", `Invalid Range header: ${header}`);
  const [, field, bracket, start, end, options] = match as unknown as [string, string, string, string, string, string | undefined];
  if (!fields.includes(field)) {
    throw new AppError("BAD_REQUEST", `Range field "${field}" is not supported here; use ${fields.join(" or ")}.`);
  }
  const spec: RangeSpec = { field, start: start.trim() || null, startExclusive: bracket === "]", end: end.trim() || null, max: DEFAULT_MAX, order: "asc" };
  // Seen from the CLI: `max=1000;` with a trailing semicolon, and `order=desc,max=1`.
  for (const option of (options ?? "").split(/[,;]/)) {
    const [name, value] = option.split("=").map((s) => s.trim());
    if (!name) continue;
    if (name === "max") {
      const max = Number(value);
      if (!Number.isInteger(max) || max < 1) throw new AppError("BAD_REQUEST", `Invalid Range max: ${value}`);
      spec.max = Math.min(max, MAX_MAX);
    } else if (name === "order") {
      if (value !== "asc" && value !== "desc") throw new AppError("BAD_REQUEST", `Invalid Range order: ${value}`);
      spec.order = value;
    }
  }
  return spec;
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Bounds in the Range header are strings; numeric keys compare as numbers (`version ]15..`). */
function bound(value: string, sample: string | number): string | number {
  if (typeof sample !== "number") return value;
  const n = Number(value.replace(/^v/, ""));
  if (!Number.isFinite(n)) throw new AppError("BAD_REQUEST", `Invalid Range bound: ${value}`);
  return n;
}

/**
 * Answers a list the way Heroku does: sorted by the Range field, sliced to `max`, 206 with
 * `Next-Range` when rows remain, 200 otherwise. Without a Range header the default field
 * (the first of `keys`) is used, ascending, 200 rows per page.
 */
export function paginate<T>(req: Request, rows: T[], keys: Record<string, Key<T>>, present: (row: T) => unknown): Reply {
  const fields = Object.keys(keys);
  const spec = parseRange(req.headers.get("range"), fields) ?? {
    field: fields[0]!,
    start: null,
    startExclusive: false,
    end: null,
    max: DEFAULT_MAX,
    order: "asc" as const,
  };
  const key = keys[spec.field]!;
  const direction = spec.order === "asc" ? 1 : -1;
  const sorted = [...rows].sort((a, b) => direction * compare(key(a), key(b)));
  const inRange = sorted.filter((row) => {
    const value = key(row);
    if (spec.start !== null) {
      const c = direction * compare(value, bound(spec.start, value));
      if (c < 0 || (c === 0 && spec.startExclusive)) return false;
    }
    if (spec.end !== null && direction * compare(value, bound(spec.end, value)) > 0) return false;
    return true;
  });
  const page = inRange.slice(0, spec.max);
  const headers: Record<string, string> = {};
  if (page.length) headers["Content-Range"] = `${spec.field} ${key(page[0]!)}..${key(page[page.length - 1]!)}`;
  if (inRange.length > page.length) {
    const last = key(page[page.length - 1]!);
    headers["Next-Range"] = `${spec.field} ]${last}..${spec.end ?? ""}; max=${spec.max}, order=${spec.order}`;
    return { status: 206, body: page.map(present), headers };
  }
  return { status: 200, body: page.map(present), headers };
}
