import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { makeTarball } from "./fixtures/tarball";
import { signUp, uniqueSuffix } from "./helpers";

// New app → From app.json against a running platform: an archive whose app.json is malformed
// fails with the JSON path of each problem and says its app was removed; the fixture's own
// app.json then sets up a running app step by step (config, formation, Redis, build output
// streaming, postdeploy once) and links to it.

const SHOTS = "e2e/screenshots";
const SETUP_TIMEOUT = 300_000;
const FIXTURE = "server/build/fixtures/appjson-node";

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function startSetup(page: Page, appName: string, overrides: Record<string, string> = {}) {
  await page.goto("/apps/new");
  await page.getByRole("button", { name: "From app.json" }).click();
  const form = page.getByRole("form", { name: "Create an app from app.json" });
  await form.getByLabel("Archive").setInputFiles({ name: "app.tar.gz", mimeType: "application/gzip", buffer: makeTarball(FIXTURE, overrides) });
  await form.getByLabel(/App name/).fill(appName);
  await form.getByRole("button", { name: "Create app from app.json" }).click();
  await expect(page).toHaveURL(/\/app-setups\/[0-9a-f-]{36}$/);
}

const step = (page: Page, key: string) => page.getByRole("list", { name: "Setup steps" }).locator(`[data-step="${key}"]`);

test("app setup: a malformed app.json fails with its paths; a good one sets the app up step by step", async ({ page }) => {
  const run = uniqueSuffix();
  await signUp(page, `e2e-setup-${run}@example.com`, `pw-${run}-long-enough`);

  await test.step("the form checks its own fields before anything is sent", async () => {
    await page.goto("/apps/new?from=app-json");
    const form = page.getByRole("form", { name: "Create an app from app.json" });
    await form.getByRole("button", { name: "Create app from app.json" }).click();
    await expect(form.getByRole("alert")).toContainText("Choose a .tar.gz, .tgz or .tar of your app.");
    await form.getByLabel(/Config vars/).fill("not a pair");
    await form.getByRole("button", { name: "Tarball URL" }).click();
    await form.getByLabel("Tarball URL").fill("https://example.com/app.tar.gz");
    await form.getByRole("button", { name: "Create app from app.json" }).click();
    await expect(form.getByRole("alert")).toContainText("Line 1: write KEY=value");
    await shot(page, "app-setup-form");
  });

  await test.step("a malformed app.json fails at Read app.json with each JSON path, and the app is removed", async () => {
    const bad = JSON.stringify({ env: { TOKEN: { generator: "uuid" } }, addons: ["papertrail"], stack: "heroku-24" });
    const name = `bad-${run}`;
    await startSetup(page, name, { "app.json": bad });
    await expect(page.getByRole("heading", { name: `Setting up ${name} failed` })).toBeVisible({ timeout: 60_000 });
    await expect(step(page, "manifest")).toHaveAttribute("data-status", "failed");
    const problems = page.getByRole("list", { name: "Problems in app.json" });
    await expect(problems.getByRole("listitem")).toHaveCount(3);
    await expect(problems.getByText("env.TOKEN.generator", { exact: true })).toBeVisible();
    await expect(problems.getByText("addons[0]", { exact: true })).toBeVisible();
    await expect(problems.getByText("stack", { exact: true })).toBeVisible();
    await expect(page.getByRole("note")).toContainText(`The app ${name} was removed`);
    await shot(page, "app-setup-failed");
    // It is really gone.
    await page.goto(`/apps/${name}`);
    await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  });

  await test.step("the fixture's app.json: every step runs, the build streams, postdeploy runs once", async () => {
    const name = `good-${run}`;
    await startSetup(page, name);
    await expect(page.getByRole("heading", { name: new RegExp(`^Setting up ${name}`) })).toBeVisible();
    // The build's output appears while it runs (streamed, not after the fact).
    const buildLog = page.getByRole("log", { name: "Build output" });
    await expect(buildLog).toContainText("Using the buildpack app.json names (Node.js)", { timeout: SETUP_TIMEOUT });
    await expect(page.getByRole("heading", { name: `${name} is set up` })).toBeVisible({ timeout: SETUP_TIMEOUT });
    for (const key of ["source", "manifest", "config", "formation", "addons", "build", "scale", "postdeploy"]) {
      await expect(step(page, key)).toHaveAttribute("data-status", "succeeded");
    }
    await expect(step(page, "config")).toContainText("generated secrets: SECRET_TOKEN");
    await expect(step(page, "formation")).toContainText("web=2:standard-1x worker=1:standard-1x");
    await expect(step(page, "addons")).toContainText(/redis-\S+ \(slipway-redis:mini\) as REDIS_URL/);
    await expect(buildLog).toContainText("Released v");
    await expect(page.getByRole("log", { name: "postdeploy output" })).toContainText("postdeploy run 1");
    await shot(page, "app-setup-succeeded");

    await page.getByRole("link", { name: `Go to ${name}` }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${name}$`));
  });
});
