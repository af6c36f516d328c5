// Prints the slowest test files (where the suite's time goes, for whoever speeds it up next),
// then one closing line over every runner's JSON report: "N passed, N failed, N skipped".
// With --failures, only the failed tests, each with the start of its error: npm test prints
// that last on a failed run, as CI shows only the tail of a long output.
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
if (process.argv[3] === "--failures") {
  printFailures();
  process.exit(0);
}
const flaky = [];
let passed = 0, failed = 0, skipped = 0;
const durations = [];
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  for (const result of report.testResults ?? []) {
    // A retried test that passed keeps the errors of its failed tries (vitest.config.ts: retry).
    for (const a of result.assertionResults ?? []) {
      if (a.status === "passed" && a.failureMessages?.length) flaky.push({ name: `${path.relative(process.cwd(), result.name)} > ${a.fullName}`, runner: file.replace(/\.json$/, ""), message: a.failureMessages[0] });
    }
    if (result.startTime && result.endTime) durations.push({ seconds: (result.endTime - result.startTime) / 1000, name: `${path.relative(process.cwd(), result.name)} (${file.replace(/\.json$/, "")})` });
  }
  const walkFlaky = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status === "flaky") flaky.push({ name: `e2e/${spec.file} > ${[...titles, spec.title].join(" > ")}`, runner: file.replace(/\.json$/, ""), message: test.results?.find((r) => r.error)?.error?.message ?? "" });
      }
    }
    for (const child of suite.suites ?? []) walkFlaky(child, [...titles, child.title]);
  };
  for (const suite of report.suites ?? []) walkFlaky(suite, []);
  for (const suite of report.suites ?? []) {
    const seconds = (suite.specs ?? []).flatMap((s) => s.tests ?? []).flatMap((t) => t.results ?? []).reduce((sum, r) => sum + (r.duration ?? 0), 0) / 1000;
    if (seconds) durations.push({ seconds, name: `e2e/${suite.file} (playwright)` });
  }
  if (report.numPassedTests !== undefined) {
    // Vitest (Jest-compatible JSON)
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  } else if (report.stats) {
    // Playwright
    passed += report.stats.expected + (report.stats.flaky ?? 0);
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
  }
}
durations.sort((a, b) => b.seconds - a.seconds);
console.log("\nslowest test files:");
for (const { seconds, name } of durations.slice(0, 15)) console.log(`${seconds.toFixed(1).padStart(8)} s  ${name}`);
if (flaky.length) {
  console.log(`\npassed only on a retry (${flaky.length}), each with the error of its failed try:`);
  printTests(flaky, "↻");
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped${flaky.length ? ` (${flaky.length} of them on a retry)` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

function printFailures() {
  const failures = [];
  const reports = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  for (const file of reports) {
    let report;
    try {
      report = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    } catch {
      continue; // a runner stopped while writing it
    }
    const runner = file.replace(/\.json$/, "");
    for (const result of report.testResults ?? []) {
      const where = path.relative(process.cwd(), result.name);
      const failed = (result.assertionResults ?? []).filter((a) => a.status === "failed");
      for (const a of failed) failures.push({ name: `${where} > ${a.fullName}`, runner, message: (a.failureMessages ?? []).join("\n") });
      // A file that failed outside any test (an error at import, in a hook) has no failed test.
      if (!failed.length && result.status === "failed") failures.push({ name: where, runner, message: result.message ?? "" });
    }
    const walk = (suite, titles) => {
      for (const spec of suite.specs ?? []) {
        for (const test of spec.tests ?? []) {
          if (test.status !== "unexpected") continue;
          const last = (test.results ?? []).at(-1);
          failures.push({ name: `e2e/${spec.file} > ${[...titles, spec.title].join(" > ")}`, runner, message: last?.error?.message ?? "" });
        }
      }
      for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
    };
    for (const suite of report.suites ?? []) walk(suite, []);
  }
  if (!failures.length) return;
  console.log(`\nfailed tests (${failures.length}):`);
  printTests(failures);
}

/** Each test's name and runner, then the start of its error. */
function printTests(tests, mark = "✗") {
  for (const { name, runner, message } of tests) {
    console.log(`  ${mark} ${name} (${runner})`);
    const lines = message.replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((l) => l.trim()).slice(0, 6);
    for (const line of lines) console.log(`      ${line.slice(0, 300)}`);
  }
}
