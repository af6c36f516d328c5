import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// Add-ons from the Resources page against a running platform: add PostgreSQL, watch it go
// provisioning → available without a reload, then its page (live status, credentials,
// a backup), attaching it to a second app, and destroying it by name.

const SHOTS = "e2e/screenshots";
const AVAILABLE_TIMEOUT = 150_000;

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function createApp(page: Page, name: string) {
  await page.getByRole("link", { name: "New app" }).click();
  await page.getByLabel(/App name/).fill(name);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${name}$`));
}

test("add-ons: PostgreSQL from the Resources page, its page, attach, destroy", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `adn-${run}`;
  const otherApp = `adn2-${run}`;
  await signUp(page, `e2e-a-${run}@example.com`, `pw-${run}-long-enough`);
  await createApp(page, otherApp);
  await page.goto("/apps");
  await createApp(page, appName);
  let addonName = "";

  await test.step("the Resources page offers add-ons; the dialog shows each plan's limits", async () => {
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Resources" }).click();
    const card = page.getByRole("region", { name: "Add-ons" });
    await expect(card.getByRole("heading", { name: "No add-ons yet" })).toBeVisible();
    await card.getByRole("button", { name: "Add-on" }).click();
    const dialog = page.getByRole("dialog", { name: "Add an add-on" });
    await expect(dialog.getByRole("radio", { name: /PostgreSQL/ })).toBeChecked();
    await expect(dialog.getByRole("radio", { name: /essential-0/ })).toBeChecked();
    await expect(dialog.getByText("256 MB RAM · 20 connections · 1 GB storage")).toBeVisible();
    await dialog.getByRole("radio", { name: /Redis/ }).check();
    await expect(dialog.getByText("25 MB data (64 MB RAM) · 20 connections")).toBeVisible();
    await dialog.getByRole("radio", { name: /PostgreSQL/ }).check();
    await shot(page, "addons-dialog");
    await dialog.getByRole("button", { name: "Add PostgreSQL essential-0" }).click();
    await expect(dialog).toHaveCount(0);
  });

  await test.step("it shows provisioning with its progress, then available, without a reload", async () => {
    const row = page.getByRole("region", { name: "Add-ons" }).getByRole("listitem");
    await expect(row).toHaveCount(1);
    addonName = (await row.getAttribute("aria-label"))!;
    expect(addonName).toMatch(/^postgresql-[a-z]+-\d+$/);
    await expect(row.getByText("provisioning")).toBeVisible();
    await expect(row.getByRole("status", { name: `${addonName} progress` })).toBeVisible();
    await shot(page, "addons-provisioning");
    await expect(row.getByText("available")).toBeVisible({ timeout: AVAILABLE_TIMEOUT });
    await expect(row).toContainText("as DATABASE_URL");
    await shot(page, "addons-available");
  });

  await test.step("the add-on page: live status, masked credentials revealed on demand, a backup", async () => {
    await page.getByRole("link", { name: addonName }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/resources/addons/${addonName}$`));
    const status = page.getByRole("region", { name: "Status" });
    await expect(status.getByText("running")).toBeVisible();
    await expect(status.getByText(/of 20$/)).toBeVisible();
    await expect(status.getByText(/ of 1 GB$/)).toBeVisible();
    const credentials = page.getByRole("region", { name: "Credentials" });
    await expect(credentials.getByLabel("Password hidden")).toBeVisible();
    await credentials.getByRole("button", { name: "Reveal" }).click();
    await expect(credentials.getByText(new RegExp(`^postgres://u[0-9a-f]+:[0-9a-f]{64}@${addonName}:5432/d[0-9a-f]+$`))).toBeVisible();
    await credentials.getByRole("button", { name: "Hide" }).click();
    await expect(credentials.getByLabel("Password hidden")).toBeVisible();

    const backups = page.getByRole("region", { name: "Backups" });
    await backups.getByRole("button", { name: "Capture backup" }).click();
    const b001 = backups.getByRole("listitem", { name: "Backup b001" });
    await expect(b001.getByText("completed")).toBeVisible({ timeout: 60_000 });
    const download = await page.request.get(await b001.getByRole("link", { name: "Download" }).getAttribute("href") as string);
    expect(download.ok()).toBeTruthy();
    expect((await download.body()).subarray(0, 5).toString()).toBe("PGDMP");
    await shot(page, "addon-page");

    await b001.getByRole("button", { name: "Restore" }).click();
    const restore = page.getByRole("dialog", { name: "Restore b001?" });
    await restore.getByRole("button", { name: "Restore b001" }).click();
    await expect(restore).toHaveCount(0, { timeout: 60_000 });
    await expect(page.getByText(`Restored b001 into ${addonName}`)).toBeVisible();
  });

  await test.step("rotate credentials: the revealed URL changes", async () => {
    const credentials = page.getByRole("region", { name: "Credentials" });
    await credentials.getByRole("button", { name: "Reveal" }).click();
    const before = await credentials.getByText(/^postgres:\/\//).textContent();
    await credentials.getByRole("button", { name: "Rotate" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate credentials?" });
    await dialog.getByRole("button", { name: "Rotate credentials" }).click();
    await expect(dialog).toHaveCount(0, { timeout: 60_000 });
    await expect(page.getByText("Credentials rotated")).toBeVisible();
    await expect(credentials.getByText(/^postgres:\/\//)).not.toHaveText(before!);
    await credentials.getByRole("button", { name: "Hide" }).click();
  });

  await test.step("attach it to a second app, then detach", async () => {
    const attachments = page.getByRole("region", { name: "Attachments" });
    await attachments.getByLabel("Attach to app").selectOption(otherApp);
    await attachments.getByRole("button", { name: "Attach" }).click();
    const attached = attachments.getByRole("listitem", { name: `${otherApp} as DATABASE` });
    await expect(attached).toBeVisible();
    await expect(attached).toContainText("DATABASE_URL");
    await attached.getByRole("button", { name: "Detach" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Detach" }).click();
    await expect(attached).toHaveCount(0);
  });

  await test.step("narrow and dark", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "addon-page-mobile");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    await shot(page, "addon-page-dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  await test.step("destroy it by typing its name", async () => {
    await page.getByRole("button", { name: "Destroy add-on…" }).click();
    const dialog = page.getByRole("dialog", { name: `Destroy ${addonName}?` });
    await expect(dialog.getByRole("button", { name: "Destroy add-on" })).toBeDisabled();
    await dialog.getByLabel(/to confirm/).fill(addonName);
    await dialog.getByRole("button", { name: "Destroy add-on" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/resources$`));
    await expect(page.getByRole("region", { name: "Add-ons" }).getByRole("heading", { name: "No add-ons yet" })).toBeVisible();
  });

  for (const name of [appName, otherApp]) {
    const res = await page.request.post("/api/trpc/apps.destroy", { data: { json: { app: name, confirm: name } } });
    expect(res.ok(), await res.text()).toBeTruthy();
  }
});
