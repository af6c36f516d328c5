import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// The pipeline page against a running platform with its builder: a pipeline made from a
// staging app (pushed with real git), production added, a promotion confirmed in a dialog
// and reported, what differs after another push, review apps turned on, a branch's review
// app listed and destroyed, and the app page's link. Screenshots at 1440 and 390 px.

const SHOTS = "e2e/screenshots";
const BUILD_TIMEOUT = 240_000;

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** The dashboard's own tRPC door, with the page's session (and its origin, for CSRF). */
async function trpc<T>(page: Page, procedure: string, input: unknown): Promise<T> {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post(`/api/trpc/${procedure}`, { data: { json: input }, headers: { Origin: origin } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

function git(dir: string, args: string[]) {
  return execFileSync("git", args, {
    cwd: dir,
    env: { ...process.env, HOME: dir, GIT_TERMINAL_PROMPT: "0", GIT_AUTHOR_NAME: "E2E", GIT_AUTHOR_EMAIL: "e2e@example.com", GIT_COMMITTER_NAME: "E2E", GIT_COMMITTER_EMAIL: "e2e@example.com" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: BUILD_TIMEOUT,
  });
}

test("pipeline page: create, promote with confirmation, what differs, review apps", async ({ page }) => {
  test.setTimeout(600_000);
  const run = uniqueSuffix();
  const staging = `stg-${run}`;
  const production = `prd-${run}`;
  const pipeline = `shop-${run}`;
  await signUp(page, `e2e-p-${run}@example.com`, `pw-${run}-long-enough`);
  await trpc(page, "apps.create", { name: staging });
  await trpc(page, "apps.create", { name: production });
  await trpc(page, "config.set", { app: production, key: "GREETING", value: "hello from production" });
  const { token } = await trpc<{ token: string }>(page, "account.apiKeys.create", { description: "e2e pipelines" });
  const remote = (app: string) => {
    const u = new URL(`/${app}.git`, page.url());
    u.username = "git";
    u.password = token;
    return u.toString();
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-pipeline-"));
  fs.cpSync("e2e/fixtures/node-hello", dir, { recursive: true });
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "First version"]);

  await test.step("the pipelines page starts empty and teaches what a pipeline is", async () => {
    git(dir, ["push", "-q", remote(staging), "main"]);
    await page.getByRole("link", { name: "Pipelines" }).click();
    await expect(page).toHaveURL(/\/pipelines$/);
    await expect(page.getByRole("heading", { name: "No pipelines yet" })).toBeVisible();
    await shot(page, "pipelines-empty-1440");
  });

  await test.step("a new pipeline from the staging app, then production added to its stage", async () => {
    await page.getByRole("button", { name: "New pipeline" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New pipeline" });
    await dialog.getByLabel("Name").fill(pipeline);
    await dialog.getByLabel("First app").selectOption(staging);
    await dialog.getByLabel("Stage").selectOption("staging");
    await dialog.getByRole("button", { name: "Create pipeline" }).click();
    await expect(page).toHaveURL(new RegExp(`/pipelines/${pipeline}$`));
    await expect(page.getByRole("heading", { name: pipeline })).toBeVisible();
    const stagingApps = page.getByRole("list", { name: "Staging apps" });
    await expect(stagingApps.getByRole("listitem", { name: staging })).toContainText(/v\d+ · Deploy [0-9a-f]{7}/);

    await page.getByRole("button", { name: "Add an app to Production" }).click();
    const add = page.getByRole("dialog", { name: "Add an app to production" });
    await add.getByLabel("App").selectOption(production);
    await add.getByRole("button", { name: "Add app" }).click();
    await expect(page.getByRole("list", { name: "Production apps" }).getByRole("listitem", { name: production })).toContainText("Differs");
  });

  await test.step("Promote asks first, then reports the result; production runs staging's build", async () => {
    const card = page.getByRole("list", { name: "Staging apps" }).getByRole("listitem", { name: staging });
    await card.getByRole("button", { name: "Promote to production…" }).click();
    const dialog = page.getByRole("dialog", { name: `Promote ${staging} to production` });
    await expect(dialog).toContainText("nothing rebuilt");
    await expect(dialog.getByRole("checkbox", { name: new RegExp(production) })).toBeChecked();
    await page.screenshot({ path: `${SHOTS}/pipeline-promote-dialog-1440.png` });
    await dialog.getByRole("button", { name: "Promote to 1 app" }).click();
    await expect(dialog).toBeHidden();
    const promotions = page.getByRole("list", { name: "Recent promotions" });
    await expect(promotions.getByRole("listitem", { name: `${production}: succeeded` })).toBeVisible({ timeout: 120_000 });
    const target = page.getByRole("list", { name: "Production apps" }).getByRole("listitem", { name: production });
    await expect(target).toContainText(`Promote from ${staging} v2`);
    await expect(target).toContainText(`Up to date with ${staging}`);
    await shot(page, "pipeline-promoted-1440");
  });

  await test.step("a new commit on staging shows as what production lacks", async () => {
    fs.writeFileSync(path.join(dir, "server.js"), fs.readFileSync(path.join(dir, "server.js"), "utf8").replace('"hello"', '"hello again"'));
    git(dir, ["commit", "-q", "-am", "Say hello again"]);
    git(dir, ["push", "-q", remote(staging), "main"]);
    await page.reload();
    const target = page.getByRole("list", { name: "Production apps" }).getByRole("listitem", { name: production });
    await target.getByText(`${staging} is 1 commit ahead`).click();
    await expect(target.getByRole("list", { name: `Commits in ${staging} that this app lacks` })).toContainText("Say hello again");
    await shot(page, "pipeline-ahead-1440");
  });

  await test.step("review apps: turned on, a branch's app listed, destroyed by name", async () => {
    const column = page.getByRole("region", { name: /Review apps/ });
    await column.getByRole("button", { name: "Enable" }).click();
    const dialog = page.getByRole("dialog", { name: "Review apps" });
    await dialog.getByLabel("Parent app").selectOption(staging);
    await dialog.getByRole("button", { name: "Enable review apps" }).click();
    await expect(column).toContainText(`Each branch pushed to ${staging}`);

    git(dir, ["checkout", "-q", "-b", "feature-x"]);
    git(dir, ["commit", "-q", "--allow-empty", "-m", "A feature"]);
    git(dir, ["push", "-q", remote(staging), "feature-x"]);
    const reviewApp = column.getByRole("listitem", { name: "Review app of feature-x" });
    await expect(reviewApp).toContainText("created", { timeout: 30_000 });
    await expect(reviewApp.getByRole("link", { name: `${staging}-pr-feature-x` })).toBeVisible();
    await shot(page, "pipeline-review-apps-1440");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "pipeline-390");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, "pipeline-dark-1440");
    await page.emulateMedia({ colorScheme: "light" });

    await reviewApp.getByRole("button", { name: "Destroy" }).click();
    const confirm = page.getByRole("dialog", { name: `Destroy ${staging}-pr-feature-x?` });
    await confirm.getByLabel(/Type .* to confirm/).fill(`${staging}-pr-feature-x`);
    await confirm.getByRole("button", { name: "Destroy review app" }).click();
    await expect(column.getByRole("listitem", { name: "Review app of feature-x" })).toBeHidden({ timeout: 60_000 });
  });

  await test.step("the app page links to its pipeline", async () => {
    await page.goto(`/apps/${production}`);
    await expect(page.getByText(`· production`)).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/app-pipeline-link-1440.png`, clip: { x: 0, y: 0, width: 1440, height: 260 } });
    await page.getByRole("link", { name: pipeline }).click();
    await expect(page).toHaveURL(new RegExp(`/pipelines/${pipeline}$`));
    await page.goto("/pipelines");
    await expect(page.getByRole("list", { name: "Pipelines" })).toContainText(pipeline);
    await shot(page, "pipelines-list-1440");
  });
  fs.rmSync(dir, { recursive: true, force: true });
});
