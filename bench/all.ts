// bench/all — every bench, one after another, then one table: bench, figures, goal, met.
//
//   npm run bench                          (all of them: tens of minutes on 2 cores)
//   ONLY=scale,control-plane npm run bench
//   SKIP=deploy,pipeline npm run bench
//
// Each bench runs as its own `npm run bench:<name>` (so its script's setup runs too, e.g.
// bench:router installs wrk and nginx) with its output passed through, and ends with a
// `BENCH {json}` line (bench/report.ts) that the table is made from. A bench that fails or
// cannot run here gets a row saying why; the others still run.
import { spawn } from "node:child_process";
import { BENCH_PREFIX, type BenchResult } from "@/bench/report";

const BENCHES = ["scale", "deploy", "router", "logs", "addons", "neighbours", "pipeline", "dashboard", "control-plane"];
const list = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const only = list(process.env.ONLY);
const skip = new Set(list(process.env.SKIP));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 1_800) * 1000;

for (const name of [...only, ...skip]) if (!BENCHES.includes(name)) throw new Error(`no bench ${name} (benches: ${BENCHES.join(", ")})`);
const chosen = (only.length ? only : BENCHES).filter((b) => !skip.has(b));

type Row = { name: string; seconds: number; result: BenchResult | null; why: string | null };

/** Runs one bench, passing its output through; its BENCH line (the last one) is its result. */
function run(name: string): Promise<Row> {
  const started = performance.now();
  return new Promise((resolve) => {
    // Its own process group: a timeout stops the bench and what it spawned (wrk, nginx, the router).
    const child = spawn("npm", ["run", "--silent", `bench:${name}`], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    const got: { result: BenchResult | null } = { result: null }; // assigned in callbacks
    let lastError = "";
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith(BENCH_PREFIX)) continue;
        try {
          got.result = JSON.parse(line.slice(BENCH_PREFIX.length)) as BenchResult;
        } catch {
          lastError = `unreadable result line: ${line.slice(0, 120)}`;
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      const lines = chunk.toString("utf8").split("\n").map((l) => l.trim()).filter(Boolean);
      if (lines.length) lastError = lines.at(-1)!;
    });
    const timer = setTimeout(() => {
      lastError = `timed out after ${TIMEOUT_MS / 1000} s`;
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    }, TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const failed = code !== 0 ? `exited ${signal ?? code}${lastError ? `: ${lastError}` : ""}` : null;
      const { result } = got;
      resolve({ name, seconds, result, why: result ? (failed && !result.note ? failed : null) : (failed ?? "printed no BENCH line") });
    });
  });
}

const rows: Row[] = [];
for (const name of chosen) {
  console.log(`\n==== bench:${name} ====`);
  rows.push(await run(name));
}

// ---- the table ------------------------------------------------------------------------
const cell = (r: Row) => {
  const figures = r.result ? Object.entries(r.result.figures).map(([k, v]) => `${k}: ${v}`).join("; ") : "";
  const notes = [r.result?.note, r.why].filter(Boolean).join("; ");
  const met = !r.result ? "not run" : r.result.met === null ? "—" : r.result.met ? "met" : "NOT met";
  return { bench: r.name, time: `${r.seconds.toFixed(0)} s`, figures: notes ? (figures ? `${figures} (${notes})` : notes) : figures, goal: r.result?.goal ?? "", met };
};
const cells = rows.map(cell);
const head = { bench: "bench", time: "time", figures: "figures", goal: "goal", met: "met" };
const cols = ["bench", "time", "figures", "goal", "met"] as const;
const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...cells.map((x) => x[c].length))])) as Record<(typeof cols)[number], number>;
const line = (x: Record<(typeof cols)[number], string>) => `| ${cols.map((c) => x[c].padEnd(width[c])).join(" | ")} |`;
console.log(`\n${line(head)}`);
console.log(`|${cols.map((c) => "-".repeat(width[c] + 2)).join("|")}|`);
for (const x of cells) console.log(line(x));
process.exitCode = rows.every((r) => r.result && !r.why) ? 0 : 1;
