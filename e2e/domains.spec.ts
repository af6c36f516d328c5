import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// Settings → Domains and Maintenance mode against a running platform: add a custom domain
// and see its CNAME target, the server's hostname errors next to the field, remove it after
// confirming, and maintenance mode on and off surviving a reload.

const SHOTS = "e2e/screenshots";

async function shot(page: Page, name: string) {
  // Toasts are fixed to the viewport and would land over the cards in a full-page capture.
  // Clicked in the page in one go: a toast may time out on its own between a count and a click.
  await page.evaluate(() => document.querySelectorAll<HTMLElement>('[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await expect(page.getByRole("button", { name: "Dismiss notification" })).toHaveCount(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test("settings: custom domains and maintenance mode", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `dom-${run}`;
  const domain = `www.${run}.example.com`;
  await signUp(page, `e2e-dom-${run}@example.com`, `pw-${run}-long-enough`);

  await page.getByRole("link", { name: "New app" }).click();
  await page.getByLabel(/App name/).fill(appName);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
  await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}/settings$`));

  const domains = page.getByRole("region", { name: "Domains" });
  const maintenance = page.getByRole("region", { name: "Maintenance mode" });
  const hostnameField = domains.getByLabel("Add a custom domain");
  // The default hostname is <app>.<base domain>; the tests run with the base domain "localhost".
  const defaultHostname = `${appName}.localhost`;

  await test.step("a new app shows its address and teaches how to add a domain", async () => {
    await expect(domains.getByRole("link", { name: "Open app" })).toHaveAttribute("href", new RegExp(`^http://${defaultHostname}:\\d+/$`));
    await expect(domains.getByText("No custom domains yet")).toBeVisible();
    await expect(domains.getByText(/point a CNAME record for it at/)).toContainText(defaultHostname);
  });

  await test.step("add a custom domain; it is listed with its CNAME target", async () => {
    await hostnameField.fill(domain);
    await domains.getByRole("button", { name: "Add domain" }).click();
    const row = domains.getByRole("list", { name: "Custom domains" }).getByRole("listitem", { name: domain });
    await expect(row).toBeVisible();
    await expect(row).toContainText(defaultHostname);
    await expect(page.getByRole("status").filter({ hasText: `Added ${domain}` })).toBeVisible();
    await expect(hostnameField).toHaveValue("");
    await shot(page, "settings-domains");
  });

  await test.step("the server's hostname errors show next to the field", async () => {
    await hostnameField.fill("not a host");
    await domains.getByRole("button", { name: "Add domain" }).click();
    await expect(domains.getByRole("alert")).toContainText("Give a hostname like www.example.com");
    await expect(hostnameField).toHaveAttribute("aria-invalid", "true");

    await hostnameField.fill("x.localhost");
    await domains.getByRole("button", { name: "Add domain" }).click();
    await expect(domains.getByRole("alert")).toContainText("x.localhost is under localhost");

    await hostnameField.fill(domain.toUpperCase());
    await domains.getByRole("button", { name: "Add domain" }).click();
    await expect(domains.getByRole("alert")).toContainText("already added to an app");
    await shot(page, "settings-domains-error");
    await hostnameField.clear();
    await expect(domains.getByRole("alert")).toHaveCount(0);
  });

  await test.step("narrow and dark", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(domains.getByRole("button", { name: `Remove ${domain}` })).toBeVisible();
    await shot(page, "settings-domains-mobile");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    await shot(page, "settings-domains-dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  await test.step("remove the domain after confirming", async () => {
    await domains.getByRole("button", { name: `Remove ${domain}` }).click();
    const dialog = page.getByRole("dialog", { name: `Remove ${domain}?` });
    await dialog.getByRole("button", { name: "Remove domain" }).click();
    await expect(dialog).toBeHidden();
    await expect(domains.getByText("No custom domains yet")).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: `Removed ${domain}` })).toBeVisible();
  });

  const toggle = maintenance.getByRole("switch", { name: "Maintenance mode" });

  await test.step("a failed maintenance change puts the switch back", async () => {
    await expect(toggle).not.toBeChecked();
    await page.route("**/api/trpc/domains.setMaintenance**", (route) => route.abort());
    await toggle.click();
    await expect(maintenance.getByRole("alert")).toContainText("Couldn't turn maintenance mode on");
    await expect(toggle).not.toBeChecked();
    await page.unrouteAll();
  });

  await test.step("maintenance mode on, kept across a reload, then off", async () => {
    await toggle.focus();
    await page.keyboard.press("Space");
    await expect(page.getByRole("status").filter({ hasText: "Maintenance mode on" })).toBeVisible();
    await expect(toggle).toBeChecked();
    await expect(maintenance.getByText("Your app is in maintenance mode.")).toBeVisible();
    await shot(page, "settings-maintenance");
    await page.emulateMedia({ colorScheme: "dark" });
    await shot(page, "settings-maintenance-dark");
    await page.emulateMedia({ colorScheme: "light" });

    await page.reload();
    await expect(toggle).toBeChecked();
    await toggle.click();
    await expect(page.getByRole("status").filter({ hasText: "Maintenance mode off" })).toBeVisible();
    await expect(toggle).not.toBeChecked();
    await page.reload();
    await expect(toggle).not.toBeChecked();
    await expect(maintenance.getByText("Your app is in maintenance mode.")).toHaveCount(0);
  });

  await test.step("delete the app", async () => {
    await page.getByRole("button", { name: "Delete app…" }).click();
    await page.getByLabel(/Type .* to confirm/).fill(appName);
    await page.getByRole("button", { name: "Delete app" }).click();
    await expect(page).toHaveURL(/\/apps$/);
  });
});
