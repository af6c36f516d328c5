import { expect, test } from "./test";
import type { Locator, Page } from "@playwright/test";
import { makeTarball } from "./fixtures/tarball";
import { signUp, uniqueSuffix } from "./helpers";

// The Deploy and Activity tabs against a running platform with its builder: upload a
// source archive of a zero-dependency Node app, watch its build output live, deploy a
// changed copy, roll back to the first deploy from Activity, read a build's whole output,
// and see a build that fails explain why.

const SHOTS = "e2e/screenshots";
const BUILD_TIMEOUT = 240_000;
const FIXTURE = "e2e/fixtures/node-hello";

async function shot(page: Page, name: string, { top = true } = {}) {
  if (top) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

function archive(name: string, overrides: Record<string, string> = {}) {
  return { name, mimeType: "application/gzip", buffer: makeTarball(FIXTURE, overrides) };
}

async function uploadAndDeploy(card: Locator, file: ReturnType<typeof archive>) {
  await card.getByLabel("Source archive").setInputFiles(file);
  await card.getByRole("button", { name: `Deploy ${file.name}` }).click();
}

function releaseRow(page: Page, version: number): Locator {
  return page.getByRole("list", { name: "Releases" }).getByRole("listitem", { name: new RegExp(`^v${version}: `) });
}

test("deploy: upload source, live build output, second deploy, rollback from Activity", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `dep-${run}`;
  await signUp(page, `e2e-d-${run}@example.com`, `pw-${run}-long-enough`);

  await test.step("a new app's Deploy tab shows how to push and where to upload", async () => {
    await page.getByRole("link", { name: "New app" }).click();
    await page.getByLabel(/App name/).fill(appName);
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Deploy" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/deploy$`));
    const git = page.getByRole("region", { name: "Deploy with Git" });
    await expect(git.getByText(new RegExp(`git remote add slipway http.*/${appName}\\.git`))).toBeVisible();
    await expect(git.getByText("git push slipway main")).toBeVisible();
    await expect(git.getByRole("link", { name: "Account → API keys" })).toHaveAttribute("href", "/account");
    await expect(page.getByRole("region", { name: "Recent builds" }).getByText("No builds yet")).toBeVisible();
    await shot(page, "deploy-empty");
  });

  const upload = page.getByRole("region", { name: "Upload source" });
  const output = upload.getByRole("log", { name: "Build output" });

  await test.step("a file that is not an archive is refused before uploading", async () => {
    await upload.getByLabel("Source archive").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hi") });
    await expect(upload.getByRole("alert")).toContainText("notes.txt is not a .tar.gz, .tgz or .tar archive");
  });

  await test.step("upload the app; its build output streams in live and ends in a release", async () => {
    await uploadAndDeploy(upload, archive("node-hello.tar.gz"));
    await expect(output).toContainText("-----> Building", { timeout: BUILD_TIMEOUT });
    await shot(page, "deploy-building", { top: false });
    await expect(output).toContainText("Node.js app detected", { timeout: BUILD_TIMEOUT });
    await expect(upload.getByRole("status").filter({ hasText: "Released v2" })).toBeVisible({ timeout: BUILD_TIMEOUT });
    await expect(upload.getByText("Succeeded", { exact: true })).toBeVisible();
    await expect(page.getByRole("region", { name: "Notifications" })).toContainText("Released v2");
    const recent = page.getByRole("region", { name: "Recent builds" });
    await expect(recent.getByRole("listitem").first()).toContainText("Succeeded");
    await expect(recent.getByRole("listitem").first()).toContainText("v2");
    await shot(page, "deploy-released");
  });

  await test.step("deploy a changed copy as v3", async () => {
    await upload.getByRole("button", { name: "Upload another archive" }).click();
    await uploadAndDeploy(upload, archive("node-hello-v2.tar.gz", { "server.js": "require('node:http').createServer((q, s) => s.end('hello again\\n')).listen(process.env.PORT);\n" }));
    await expect(upload.getByRole("status").filter({ hasText: "Released v3" })).toBeVisible({ timeout: BUILD_TIMEOUT });
  });

  await test.step("Activity lists both deploys with their builds; roll back to v2", async () => {
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Activity" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/activity$`));
    await expect(releaseRow(page, 3)).toContainText("Current");
    await expect(releaseRow(page, 3).getByRole("link", { name: "View build output" })).toBeVisible();
    await expect(releaseRow(page, 2).getByRole("link", { name: "View build output" })).toBeVisible();
    // v1 has no code, and v3 is current: neither can be rolled back to.
    await expect(releaseRow(page, 1).getByRole("button", { name: /Roll back/ })).toHaveCount(0);
    await expect(releaseRow(page, 3).getByRole("button", { name: /Roll back/ })).toHaveCount(0);
    await shot(page, "activity-before-rollback");

    await releaseRow(page, 2).getByRole("button", { name: "Roll back to v2" }).click();
    const dialog = page.getByRole("dialog", { name: "Roll back to v2?" });
    await expect(dialog).toContainText("v2's code and config vars");
    await shot(page, "activity-rollback-dialog", { top: false });
    await dialog.getByRole("button", { name: "Roll back to v2" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Notifications" })).toContainText("Rolled back to v2");
    await expect(releaseRow(page, 4)).toContainText("Rollback to v2");
    await expect(releaseRow(page, 4)).toContainText("Current");
    await expect(page.getByRole("list", { name: "Releases" }).getByRole("listitem").first()).toContainText("Rollback to v2");
    await expect(releaseRow(page, 3).getByRole("button", { name: "Roll back to v3" })).toBeVisible();
    await shot(page, "activity");
  });

  await test.step("a build's whole output opens from Activity", async () => {
    await releaseRow(page, 2).getByRole("link", { name: "View build output" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/activity/builds/[^/]+$`));
    const log = page.getByRole("log", { name: "Build output" });
    await expect(log).toContainText("-----> Building");
    await expect(log).toContainText("Node.js app detected");
    // The build's own status line (a "Released v2" toast from the deploy may still be up).
    await expect(page.getByRole("region", { name: /^Deploy [0-9a-f]{7}$/ }).getByRole("status").filter({ hasText: "Released v2" })).toBeVisible();
    await expect(page.getByText("Uploaded archive")).toBeVisible();
    await shot(page, "build-output");
  });

  await test.step("a build that fails says why, in the panel and in Activity", async () => {
    await page.goto(`/apps/${appName}/deploy`);
    const bare = { name: "empty.tar.gz", mimeType: "application/gzip", buffer: makeTarball("e2e/fixtures/no-app") };
    await uploadAndDeploy(upload, bare);
    const failure = upload.getByRole("status").filter({ hasText: "Build failed" });
    await expect(failure).toBeVisible({ timeout: BUILD_TIMEOUT });
    await expect(upload.getByText("Failed", { exact: true })).toBeVisible();
    await shot(page, "deploy-failed");
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Activity" }).click();
    const failed = page.getByRole("list", { name: "Releases" }).getByRole("listitem").first();
    await expect(failed).toContainText("Build failed");
    await expect(failed.getByRole("link", { name: "View build output" })).toBeVisible();
  });

  await test.step("narrow and dark", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(releaseRow(page, 3).getByRole("button", { name: "Roll back to v3" })).toBeVisible();
    await shot(page, "activity-mobile");
    await page.goto(`/apps/${appName}/deploy`);
    await expect(page.getByRole("region", { name: "Upload source" })).toBeVisible();
    await shot(page, "deploy-mobile");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    const recent = page.getByRole("region", { name: "Recent builds" });
    await recent.getByRole("listitem").filter({ hasText: "Succeeded" }).first().getByRole("link").click();
    await expect(page.getByRole("log", { name: "Build output" })).toContainText("-----> Building");
    await shot(page, "build-output-dark");
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
