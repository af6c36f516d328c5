// Prints the slowest test files (where the suite's time goes, for whoever speeds it up next),
// then one closing line over every runner's JSON report: "N passed, N failed, N skipped".
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
let passed = 0, failed = 0, skipped = 0;
const durations = [];
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  for (const result of report.testResults ?? []) {
    if (result.startTime && result.endTime) durations.push({ seconds: (result.endTime - result.startTime) / 1000, name: `${path.relative(process.cwd(), result.name)} (${file.replace(/\.json$/, "")})` });
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
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
