import fs from "node:fs";
import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { uniqueSuffix } from "./helpers";

// The audit trail on an app's Activity tab: change a config var and scale through the
// dashboard, then find both in the trail (filters, search, Load more) and export it as
// JSON lines — with the config var's value nowhere on the page or in the file.

const SHOTS = "e2e/screenshots";

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** As helpers' signUp, with room for a slow password hash on a busy machine. */
async function signUp(page: Page, email: string, password: string) {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/apps$/, { timeout: 90_000 });
}

async function trpc(page: Page, path: string, input: unknown) {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.ok(), await res.text()).toBeTruthy();
}

test("audit trail: config and scaling changes show up with who and via, filter, page and export", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `audit-${run}`;
  const email = `e2e-a-${run}@example.com`;
  const secret = `very-secret-${run}`;
  await signUp(page, email, `pw-${run}-long-enough`);

  await test.step("create an app and give it a worker process type", async () => {
    await page.getByRole("link", { name: "New app" }).click();
    await page.getByLabel(/App name/).fill(appName);
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
    await trpc(page, "releases.deployImage", { app: appName, image: "slipway/stack:bookworm", processTypes: { worker: "sleep 3600" } });
  });

  await test.step("set a config var on Settings", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    const config = page.getByRole("region", { name: "Config vars" });
    await config.getByLabel("New config var key").fill("SECRET_TOKEN");
    await config.getByLabel("New config var value").fill(secret);
    await config.getByRole("button", { name: "Add" }).click();
    await expect(config.getByText("Released v3")).toBeVisible();
  });

  await test.step("scale the worker to 1 on Resources", async () => {
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Resources" }).click();
    const worker = page.getByRole("region", { name: "worker", exact: true });
    await worker.getByRole("slider", { name: "worker dynos" }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(worker.getByRole("status", { name: "worker dyno count" })).toHaveText("1");
    await worker.getByRole("button", { name: "Confirm" }).click();
    await expect(worker.getByRole("button", { name: "Confirm" })).toHaveCount(0);
  });

  const events = page.getByRole("list", { name: "Audit events" });
  const row = (text: string | RegExp) => events.getByRole("listitem").filter({ hasText: text });

  await test.step("Activity keeps the releases and shows both changes in the audit trail", async () => {
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Activity" }).click();
    await expect(page.getByRole("list", { name: "Releases" }).getByRole("listitem").first()).toContainText("Set SECRET_TOKEN config vars");
    await page.getByRole("navigation", { name: "Activity views" }).getByRole("link", { name: "Audit trail" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/activity\\?view=audit$`));
    await expect(row("Scaled worker from 0 to 1")).toContainText(email);
    await expect(row("Scaled worker from 0 to 1")).toContainText("Dashboard");
    await expect(row("Set SECRET_TOKEN config vars (v3)")).toContainText(email);
    await expect(row("released v2")).toBeVisible();
    await expect(row(`Created app ${appName}`)).toBeVisible();
    // The newest first.
    await expect(events.getByRole("listitem").first()).toContainText("Scaled worker from 0 to 1");
    await expect(page.getByText(secret)).toHaveCount(0);
    const time = row("Scaled worker").locator("time");
    await expect(time).toHaveAttribute("title", /\d{1,2}:\d{2}:\d{2}/);
    await shot(page, "audit-app");
  });

  await test.step("filter by kind and door, search, clear", async () => {
    const kind = page.getByLabel("Kind of change");
    const via = page.getByLabel("Made through");
    const search = page.getByRole("searchbox", { name: "Search the audit trail" });
    await kind.selectOption({ label: "Config vars" });
    await expect(events.getByRole("listitem")).toHaveCount(1);
    await expect(events.getByRole("listitem")).toContainText("Set SECRET_TOKEN config vars");
    await kind.selectOption({ label: "Scaling" });
    await expect(events.getByRole("listitem")).toHaveCount(1);
    await expect(events.getByRole("listitem")).toContainText("Scaled worker from 0 to 1");
    await via.selectOption({ label: "CLI" });
    await expect(page.getByRole("heading", { name: "No events match these filters" })).toBeVisible();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(kind).toHaveValue("");
    await search.fill("secret_token");
    await expect(events.getByRole("listitem")).toHaveCount(1);
    await expect(events.getByRole("listitem")).toContainText("Set SECRET_TOKEN config vars");
    await search.fill("");
    await expect(row("Scaled worker")).toBeVisible();
  });

  await test.step("export JSON lines: every event, no secret", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export JSON lines" }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${appName}-activity-\\d{4}-\\d{2}-\\d{2}\\.jsonl$`));
    const text = fs.readFileSync((await download.path())!, "utf8");
    expect(text).not.toContain(secret);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as { kind: string; actor: string; via: string; app: string; message: string });
    expect(lines.map((l) => l.kind)).toEqual(expect.arrayContaining(["formation.scale", "config.set", "deploy.released", "app.created"]));
    expect(lines.find((l) => l.kind === "formation.scale")).toMatchObject({ actor: email, via: "dashboard", app: appName, message: "Scaled worker from 0 to 1" });
  });

  await test.step("Load more pages through a long trail", async () => {
    for (let i = 0; i < 50; i++) await trpc(page, "config.set", { app: appName, key: `K${i}`, value: String(i) });
    await page.reload();
    await expect(events.getByRole("listitem")).toHaveCount(50);
    await expect(row(`Created app ${appName}`)).toHaveCount(0);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(row(`Created app ${appName}`)).toBeVisible();
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  });

  await test.step("narrow and dark", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("searchbox", { name: "Search the audit trail" }).fill("worker");
    await expect(events.getByRole("listitem")).toHaveCount(1);
    await shot(page, "audit-app-mobile");
    await page.getByRole("searchbox", { name: "Search the audit trail" }).fill("");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(events.getByRole("listitem").first()).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/audit-app-dark.png` });
    await page.emulateMedia({ colorScheme: "light" });
  });

  await test.step("delete the app", async () => {
    await page.goto(`/apps/${appName}/settings`);
    await page.getByRole("button", { name: "Delete app…" }).click();
    await page.getByLabel(/Type .* to confirm/).fill(appName);
    await page.getByRole("button", { name: "Delete app" }).click();
    await expect(page).toHaveURL(/\/apps$/);
  });
});
