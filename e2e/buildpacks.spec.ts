import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// Settings → Buildpacks against a running platform: a new app detects its buildpack; set
// one, add a second, remove one (surviving a reload); purge the build cache after
// confirming. Screenshots at 1440 and 390 px wide.

const SHOTS = "e2e/screenshots";

async function shot(page: Page, name: string) {
  await page.evaluate(() => document.querySelectorAll<HTMLElement>('[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await expect(page.getByRole("button", { name: "Dismiss notification" })).toHaveCount(0);
  await page.getByRole("region", { name: "Buildpacks" }).scrollIntoViewIfNeeded();
  await page.getByRole("region", { name: "Buildpacks" }).screenshot({ path: `${SHOTS}/${name}.png` });
}

test("settings: buildpacks and the build cache", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `bps-${run}`;
  await signUp(page, `e2e-bps-${run}@example.com`, `pw-${run}-long-enough`);
  await page.getByRole("link", { name: "New app" }).click();
  await page.getByLabel(/App name/).fill(appName);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
  await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Settings" }).click();

  const card = page.getByRole("region", { name: "Buildpacks" });
  const list = card.getByRole("list", { name: "Buildpacks set for this app" });

  await test.step("a new app detects its buildpack", async () => {
    await expect(card.getByText("No build has run yet.")).toBeVisible();
    await expect(card.getByText("Detected automatically.")).toBeVisible();
    await expect(card.getByLabel("Buildpack", { exact: true })).toHaveValue("heroku/nodejs");
  });

  await test.step("set heroku/python, then add heroku/nodejs after it", async () => {
    await card.getByLabel("Buildpack", { exact: true }).selectOption("heroku/python");
    await card.getByRole("button", { name: "Set buildpack" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Buildpack heroku/python added" })).toBeVisible();
    await expect(list.getByRole("listitem")).toHaveText([/1\.\s*heroku\/python\s*Python/]);
    await expect(card.getByLabel("Buildpack", { exact: true })).toHaveValue("heroku/nodejs");
    await card.getByRole("button", { name: "Add buildpack" }).click();
    await expect(list.getByRole("listitem")).toHaveText([/1\.\s*heroku\/python/, /2\.\s*heroku\/nodejs/]);
    // Every settable buildpack is set: nothing left to add.
    await expect(card.getByLabel("Buildpack", { exact: true })).toHaveCount(0);
    await shot(page, "settings-buildpacks");
  });

  await test.step("the list is the server's: it survives a reload; removing one keeps the other", async () => {
    await page.reload();
    await expect(list.getByRole("listitem")).toHaveCount(2);
    await list.getByRole("button", { name: "Remove heroku/python" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Removed heroku/python" })).toBeVisible();
    await expect(list.getByRole("listitem")).toHaveText([/1\.\s*heroku\/nodejs/]);
  });

  await test.step("purge the build cache after confirming", async () => {
    await card.getByRole("button", { name: "Purge build cache" }).click();
    const dialog = page.getByRole("dialog", { name: "Purge the build cache?" });
    await expect(dialog).toContainText(`The next build of ${appName} downloads and installs every dependency again`);
    await dialog.getByRole("button", { name: "Purge cache" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole("status").filter({ hasText: "Build cache purged" })).toContainText("It was already empty.");
  });

  await test.step("the audit trail records each change", async () => {
    await page.goto(`/apps/${appName}/activity?view=audit`);
    await expect(page.getByText("Buildpacks set to heroku/nodejs").first()).toBeVisible();
    await expect(page.getByText("Build cache purged (it was already empty)").first()).toBeVisible();
  });

  await test.step("readable at 390 px", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Settings" }).click();
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await shot(page, "settings-buildpacks-narrow");
  });
});
