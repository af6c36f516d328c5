import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// Quotas in the dashboard (memory headroom under the scale slider, the add-on count in the
// add-on dialog), and the dashboard working under its Content-Security-Policy: every page
// visited is watched for CSP violations and console errors.

const SHOTS = "e2e/screenshots";
const WEB = `node -e "require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT)"`;

function watchCsp(page: Page) {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy|Refused to/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${page.url()}: ${e.message}`));
  return problems;
}

test("quotas beside the slider and in the add-on dialog; no CSP violations on the dashboard's pages", async ({ page }) => {
  const problems = watchCsp(page);
  test.info().annotations.push({ type: "console", description: "problems are printed if the test fails" });
  page.on("close", () => problems.length && console.log(`console problems:\n${problems.join("\n")}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  const run = uniqueSuffix();
  const appName = `quo-${run}`;
  await signUp(page, `e2e-q-${run}@example.com`, `pw-${run}-long-enough`);

  const headers = (await page.request.get("/apps")).headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");

  await page.goto("/apps/new");
  await page.getByLabel(/App name/).fill(appName);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
  const res = await page.request.post("/api/trpc/releases.deployImage", {
    data: { json: { app: appName, image: "slipway/stack:bookworm", processTypes: { web: WEB } } },
  });
  expect(res.ok(), await res.text()).toBeTruthy();

  await test.step("the slider shows the dyno memory left, and a size past the limit cannot be confirmed", async () => {
    await page.goto(`/apps/${appName}/resources`);
    const web = page.getByRole("region", { name: "web", exact: true });
    await expect(web.getByText(/^512 MB of your [\d.]+ GB dyno memory in use · [\d.]+ GB left · at most 10 per process type$/)).toBeVisible();
    await expect(web.getByRole("slider", { name: "web dynos" })).toHaveAttribute("max", "10");
    await web.getByRole("combobox", { name: "web dyno size" }).selectOption("performance-l");
    await expect(web.getByText(/^This would use 14 GB of dyno memory; your limit is [\d.]+ GB \(512 MB in use\)\.$/)).toBeVisible();
    await expect(web.getByRole("button", { name: "Confirm" })).toBeDisabled();
    await page.screenshot({ path: `${SHOTS}/quotas-slider-1440.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await web.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/quotas-slider-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await web.getByRole("button", { name: "Cancel" }).click();
  });

  await test.step("the add-on dialog shows the add-on count and limit", async () => {
    await page.getByRole("button", { name: "Add-on" }).click();
    await expect(page.getByText("0 of 10 add-ons used.")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/quotas-addon-dialog.png` });
    await page.keyboard.press("Escape");
  });

  await test.step("every dashboard page renders under the CSP without violations", async () => {
    for (const path of ["/apps", "/account", "/teams/new", `/apps/${appName}`, `/apps/${appName}/resources`, `/apps/${appName}/deploy`, `/apps/${appName}/metrics`, `/apps/${appName}/activity`, `/apps/${appName}/logs`, `/apps/${appName}/settings`]) {
      await page.goto(path);
      await expect(page.locator("main")).toBeVisible();
      // Let late requests (queries, the log stream) run; the logs page never goes idle.
      await page.waitForLoadState("networkidle", { timeout: 5_000 }).catch(() => undefined);
    }
    // Only CSP refusals fail this test; other console errors are printed (see the page's close handler).
    expect(problems.filter((p) => /Content Security Policy|Refused to|CSP violation/i.test(p))).toEqual([]);
  });

  await page.request.post("/api/trpc/apps.destroy", { data: { json: { app: appName, confirm: appName } } });
});
