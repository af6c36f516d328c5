// Prints the slowest test files (where the suite's time goes, for whoever speeds it up next),
// the tests that passed only on a retry, then one closing line over every runner's JSON
// report: "N passed, N failed, N skipped".
// With --failures, only the failed tests, each with the start of its error: npm test prints
// that last on a failed run, as CI shows only the tail of a long output.
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
if (process.argv[3] === "--failures") {
  const failures = [];
  for (const { file, report } of reports({ skipUnreadable: true })) failures.push(...outcomes(report, file).filter((t) => t.outcome === "failed"));
  if (failures.length) {
    console.log(`\nfailed tests (${failures.length}):`);
    printTests(failures, "✗");
  }
  process.exit(0);
}

let passed = 0, failed = 0, skipped = 0;
const durations = [];
const flaky = [];
for (const { file, report } of reports({ skipUnreadable: false })) {
  flaky.push(...outcomes(report, file).filter((t) => t.outcome === "flaky"));
  for (const result of report.testResults ?? []) {
    if (result.startTime && result.endTime) durations.push({ seconds: (result.endTime - result.startTime) / 1000, name: `${path.relative(process.cwd(), result.name)} (${runnerOf(file)})` });
  }
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

/** Every runner's JSON report in `dir`; one a runner stopped while writing is skipped only when asked. */
function reports({ skipUnreadable }) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  return files.flatMap((file) => {
    try {
      return [{ file, report: JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) }];
    } catch (err) {
      if (skipUnreadable) return [];
      throw err;
    }
  });
}

function runnerOf(file) {
  return file.replace(/\.json$/, "");
}

/**
 * The report's failed and flaky tests, each with the error to show: "failed" (Vitest, or a
 * file that failed outside any test, such as an error at import or in a hook; Playwright
 * "unexpected", its last try's error) and "flaky" (passed on a retry: Vitest keeps the failed
 * tries' errors on a passed test, vitest.config.ts `retry`; Playwright marks it, its first
 * failed try's error).
 */
function outcomes(report, file) {
  const runner = runnerOf(file);
  const out = [];
  for (const result of report.testResults ?? []) {
    const where = path.relative(process.cwd(), result.name);
    const tests = result.assertionResults ?? [];
    for (const a of tests) {
      if (a.status === "failed") out.push({ outcome: "failed", name: `${where} > ${a.fullName}`, runner, message: (a.failureMessages ?? []).join("\n") });
      else if (a.status === "passed" && a.failureMessages?.length) out.push({ outcome: "flaky", name: `${where} > ${a.fullName}`, runner, message: a.failureMessages[0] });
    }
    if (result.status === "failed" && !tests.some((a) => a.status === "failed")) out.push({ outcome: "failed", name: where, runner, message: result.message ?? "" });
  }
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const name = `e2e/${spec.file} > ${[...titles, spec.title].join(" > ")}`;
        if (test.status === "unexpected") out.push({ outcome: "failed", name, runner, message: (test.results ?? []).at(-1)?.error?.message ?? "" });
        else if (test.status === "flaky") out.push({ outcome: "flaky", name, runner, message: test.results?.find((r) => r.error)?.error?.message ?? "" });
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title]);
  };
  for (const suite of report.suites ?? []) walk(suite, []);
  return out;
}

/** Each test's name and runner, then the start of its error. */
function printTests(tests, mark) {
  for (const { name, runner, message } of tests) {
    console.log(`  ${mark} ${name} (${runner})`);
    const lines = message.replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((l) => l.trim()).slice(0, 6);
    for (const line of lines) console.log(`      ${line.slice(0, 300)}`);
  }
}
