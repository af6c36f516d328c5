import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { uniqueSuffix } from "./helpers";

// The dashboard's first journey, end to end against a running platform: account, team,
// app (with name errors on create and rename), config vars (hidden, revealed, released),
// activity, API keys, delete.
// Seeds its own uniquely named data; waits on what the page shows, never on the clock.

const SHOTS = "e2e/screenshots";
const run = uniqueSuffix();
const email = `e2e-${run}@example.com`;
const password = `pw-${run}-long-enough`;
const teamName = `team-${run}`;
const appName = `app-${run}`;

async function shot(page: Page, name: string, { fullPage = true } = {}) {
  // Full-page captures start at the top, so the sticky top bar sits where it belongs.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage });
}

async function signIn(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/apps$/);
}

test("foundation: account, team, app, config vars, activity, API key, delete", async ({ page }) => {
  await test.step("sign up a new user", async () => {
    await page.goto("/apps");
    await expect(page).toHaveURL(/\/login/);
    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/apps$/);
    await expect(page.getByRole("heading", { name: "Personal apps" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Create your first app" })).toBeVisible();
    await shot(page, "01-apps-empty");
  });

  await test.step("sign out and sign in again", async () => {
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole("heading", { name: "Sign in to Slipway" })).toBeVisible();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();
    await signIn(page);
  });

  await test.step("create a team from the switcher", async () => {
    await page.getByRole("button", { name: /Switch account or team/ }).click();
    await page.getByRole("menuitem", { name: "Create team" }).click();
    await expect(page).toHaveURL(/\/teams\/new$/);
    await page.getByLabel("Team name").fill(teamName);
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page).toHaveURL(new RegExp(`/teams/${teamName}$`));
    await expect(page.getByRole("heading", { level: 1, name: teamName })).toBeVisible();
    await expect(page.getByRole("list", { name: "Team members" })).toContainText(email);
    await expect(page.getByRole("button", { name: /Switch account or team/ })).toContainText(teamName);
  });

  await test.step("create an app owned by the team; bad names get field errors first", async () => {
    await page.getByRole("link", { name: "New app" }).click();
    await expect(page).toHaveURL(/\/apps\/new\?team=/);
    await expect(page.getByLabel("Owner")).toHaveValue(teamName);
    const name = page.getByLabel(/App name/);
    const nameError = page.locator("#app-name-error");
    for (const [bad, message] of [
      ["Bad_Name", "lowercase"],
      ["ab", "at least 3 characters"],
      ["9lives", "start with a lowercase letter"],
      ["trailing-", "must not end with a dash"],
    ] as const) {
      await name.fill(bad);
      await page.getByRole("button", { name: "Create app" }).click();
      await expect(nameError).toHaveAttribute("role", "alert");
      await expect(nameError).toContainText(message);
      await expect(name).toHaveAttribute("aria-invalid", "true");
      await expect(name).toHaveAttribute("aria-describedby", /app-name-error/);
      await expect(page).toHaveURL(/\/apps\/new\?team=/);
    }
    await shot(page, "02a-new-app-name-error");
    await name.fill(appName);
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
    await expect(page.getByRole("heading", { level: 1, name: appName })).toBeVisible();
    await expect(page.getByText(/git remote add slipway http.*\/.*\.git/)).toBeVisible();
    await expect(page.getByText("git push slipway main")).toBeVisible();
    await expect(page.getByRole("list", { name: "Releases" })).toContainText("Initial release");
    await shot(page, "02-app-overview");
  });

  await test.step("a name that is taken gets a field error too", async () => {
    await page.goto("/apps/new");
    const name = page.getByLabel(/App name/);
    await name.fill(appName);
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page.locator("#app-name-error")).toContainText(`Name ${appName} is already taken.`);
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/apps\/new$/);
  });

  await test.step("the team's list and the search box find the app", async () => {
    await page.goto(`/teams/${teamName}`);
    const apps = page.getByRole("list", { name: `Apps of ${teamName}` });
    await expect(apps).toContainText(appName);
    await shot(page, "03-team");
    await page.getByRole("searchbox", { name: "Search apps" }).fill("no-such-app");
    await expect(page.getByText("No apps match")).toBeVisible();
    await page.getByRole("searchbox", { name: "Search apps" }).fill(appName.slice(0, 8));
    await expect(apps).toContainText(appName);
    await apps.getByRole("link", { name: new RegExp(appName) }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
  });

  await test.step("set a config var: hidden, then revealed, and released as v2", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/settings$`));
    const config = page.getByRole("region", { name: "Config vars" });
    await config.getByLabel("New config var key").fill("FOO");
    await config.getByLabel("New config var value").fill("bar-secret-value");
    await config.getByRole("button", { name: "Add" }).click();
    await expect(config.getByText("Released v2")).toBeVisible();
    const row = config.getByRole("listitem", { name: "FOO" });
    await expect(row).toContainText("••••••");
    await expect(page.getByText("bar-secret-value")).toHaveCount(0);
    await row.getByRole("button", { name: "Reveal FOO" }).click();
    await expect(row).toContainText("bar-secret-value");
    await shot(page, "04-settings-config-vars");
  });

  await test.step("activity lists v2 as current", async () => {
    await page.getByRole("link", { name: "Activity" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/activity$`));
    const newest = page.getByRole("list", { name: "Releases" }).getByRole("listitem").first();
    await expect(newest).toContainText("v2");
    await expect(newest).toContainText("Set FOO config vars");
    await expect(newest).toContainText(email);
    await expect(newest).toContainText("Current");
    await shot(page, "05-activity");
  });

  await test.step("renaming to a bad name shows the error next to the field", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    const rename = page.getByRole("region", { name: "Rename app" });
    await rename.getByLabel("New name").fill("Bad_Name");
    await rename.getByRole("button", { name: "Rename" }).click();
    await expect(rename.getByRole("alert")).toContainText("lowercase");
    await expect(rename.getByLabel("New name")).toHaveAttribute("aria-invalid", "true");
    await shot(page, "06-rename-error");
  });

  await test.step("screens at 390 px and in dark mode", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/apps/${appName}`);
    await expect(page.getByText("git push slipway main")).toBeVisible();
    await shot(page, "07-mobile-overview");
    await page.goto(`/apps/${appName}/settings`);
    await expect(page.getByRole("listitem", { name: "FOO" })).toBeVisible();
    await shot(page, "08-mobile-settings");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.reload();
    await expect(page.getByRole("listitem", { name: "FOO" })).toBeVisible();
    await shot(page, "09-dark-settings");
    await page.emulateMedia({ colorScheme: "light" });
  });

  await test.step("create an API key: the token is shown once", async () => {
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Account settings" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByText(email).first()).toBeVisible();
    await page.getByLabel("Description").fill("e2e key");
    await page.getByRole("button", { name: "Create API key" }).click();
    const token = page.getByLabel("New API key");
    await expect(token).toHaveValue(/^slw_/);
    await expect(page.getByText("shown only once")).toBeVisible();
    const prefix = (await token.inputValue()).slice(0, 10);
    const row = page.getByRole("row", { name: /e2e key/ });
    await expect(row).toContainText(`${prefix}…`);
    await expect(row).toContainText("Never");
    await shot(page, "10-account-api-key");
    await page.reload();
    await expect(page.getByRole("row", { name: /e2e key/ })).toBeVisible();
    await expect(page.getByLabel("New API key")).toHaveCount(0);
  });

  await test.step("delete the app by typing its name", async () => {
    await page.goto(`/apps/${appName}/settings`);
    await page.getByRole("button", { name: "Delete app…" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${appName}?` });
    const confirm = dialog.getByRole("button", { name: "Delete app" });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/to confirm/).fill(appName);
    await shot(page, "11-delete-dialog", { fullPage: false });
    await confirm.click();
    await expect(page).toHaveURL(new RegExp(`/teams/${teamName}$`));
    await expect(page.getByRole("heading", { name: `${teamName} has no apps yet` })).toBeVisible();
    await page.goto(`/apps/${appName}`);
    await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  });
});
