import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// The Access tab against a running platform, as two people: the owner adds a collaborator
// by email, changes a permission, and removes them after confirming; the collaborator sees
// the same tab with every control they may not use disabled, and their access ends at once.
// A team app shows its members, the grant form with permissions, and the lock switch.

const SHOTS = "e2e/screenshots";

async function shot(page: Page, name: string) {
  await page.evaluate(() => document.querySelectorAll<HTMLElement>('[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await expect(page.getByRole("button", { name: "Dismiss notification" })).toHaveCount(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** A tRPC mutation with the page's session cookie (the dashboard's own door). */
async function trpc(page: Page, path: string, input: unknown) {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input }, headers: { Origin: origin } });
  expect(res.status(), await res.text()).toBe(200);
}

test("access tab: add a collaborator, change a permission, remove them; the collaborator sees disabled controls", async ({ page, browser }) => {
  const run = uniqueSuffix();
  const appName = `acc-${run}`;
  const bobEmail = `e2e-bob-${run}@example.com`;

  const bobContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const bob = await bobContext.newPage();
  await signUp(bob, bobEmail, `pw-${run}-long-enough`);

  await signUp(page, `e2e-owner-${run}@example.com`, `pw-${run}-long-enough`);
  await page.getByRole("link", { name: "New app" }).click();
  await page.getByLabel(/App name/).fill(appName);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
  await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Access" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}/access$`));

  const people = page.getByRole("list", { name: "People with access" });
  const bobRow = people.getByRole("listitem", { name: bobEmail });

  await test.step("the owner adds a collaborator by email", async () => {
    await page.getByRole("textbox", { name: "Add a collaborator" }).fill(bobEmail);
    await page.getByRole("button", { name: "Add collaborator" }).click();
    await expect(bobRow).toBeVisible();
    await expect(bobRow).toContainText("collaborator");
    await expect(bobRow.getByRole("checkbox", { name: `view for ${bobEmail}` })).toBeChecked();
    await expect(bobRow.getByRole("checkbox", { name: `view for ${bobEmail}` })).toBeDisabled();
    await expect(bobRow.getByRole("checkbox", { name: `deploy for ${bobEmail}` })).toBeChecked();
    // Personal apps' collaborators never manage; the box says why on hover.
    const manage = bobRow.getByRole("checkbox", { name: `manage for ${bobEmail}` });
    await expect(manage).toBeDisabled();
    await expect(bobRow.locator("label", { hasText: "manage" })).toHaveAttribute("title", /transfer the app instead/);
  });

  await test.step("the owner unticks and ticks a permission; it survives a reload", async () => {
    const operate = bobRow.getByRole("checkbox", { name: `operate for ${bobEmail}` });
    // A click, not check(): the box follows the saved grant, a moment after the click.
    await operate.click();
    await expect(operate).not.toBeChecked();
    await expect(operate).toBeEnabled();
    await page.reload();
    await expect(operate).not.toBeChecked();
    await operate.click();
    await expect(operate).toBeChecked();
    await expect(operate).toBeEnabled();
    await page.reload();
    await expect(operate).toBeChecked();
  });

  await shot(page, "access-owner");

  await test.step("the collaborator sees the tab with the controls they may not use disabled", async () => {
    await bob.goto(`/apps/${appName}/access`);
    const row = bob.getByRole("list", { name: "People with access" }).getByRole("listitem", { name: bobEmail });
    await expect(row.getByRole("checkbox", { name: `deploy for ${bobEmail}` })).toBeDisabled();
    await expect(row.locator("label", { hasText: "deploy" })).toHaveAttribute("title", /manage permission/);
    await expect(bob.getByRole("textbox", { name: "Add a collaborator" })).toBeDisabled();
    await expect(bob.getByRole("button", { name: "Add collaborator" })).toBeDisabled();
    await expect(bob.getByRole("button", { name: /^Remove / })).toHaveCount(0);
    await expect(row.getByRole("button", { name: "Leave" })).toBeVisible();
    await expect(bob.getByRole("region", { name: "Transfer ownership" })).toContainText("manage permission");
    await shot(bob, "access-collaborator");

    await bob.goto(`/apps/${appName}/settings`);
    await expect(bob.getByRole("region", { name: "Maintenance mode" }).getByRole("switch")).toBeEnabled(); // operate
    await expect(bob.getByRole("region", { name: "Domains" })).toContainText("You need the manage permission");
    await expect(bob.getByRole("button", { name: "Delete app…" })).toHaveCount(0);
  });

  await test.step("the owner removes the collaborator after confirming; their access ends", async () => {
    await bobRow.getByRole("button", { name: `Remove ${bobEmail}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove access" }).click();
    // The toast comes once the server has removed the grant; the row alone can vanish
    // earlier (while the list refetches), and Bob's page load would then race the removal.
    await expect(page.getByText(`Removed ${bobEmail}`)).toBeVisible();
    await expect(bobRow).toHaveCount(0);
    await bob.goto(`/apps/${appName}/access`);
    await expect(bob.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  });

  await bobContext.close();
});

test("access tab on a team app: members, a grant with permissions, and the lock", async ({ page }) => {
  const run = uniqueSuffix();
  const team = `acc-team-${run}`;
  const appName = `acc-t-${run}`;
  const outsiderEmail = `e2e-out-${run}@example.com`;
  // The outsider needs an account; signing up in this page and signing out again is enough.
  const outsiderContext = await page.context().browser()!.newContext();
  await signUp(await outsiderContext.newPage(), outsiderEmail, `pw-${run}-long-enough`);
  await outsiderContext.close();

  await signUp(page, `e2e-admin-${run}@example.com`, `pw-${run}-long-enough`);
  await trpc(page, "teams.create", { name: team });
  await trpc(page, "apps.create", { name: appName, team });
  await page.goto(`/apps/${appName}/access`);

  const people = page.getByRole("list", { name: "People with access" });
  await expect(people.getByRole("listitem")).toHaveCount(1);
  await expect(people.getByRole("listitem").first()).toContainText("admin");

  await page.getByLabel("Grant access to someone").fill(outsiderEmail);
  await page.getByRole("checkbox", { name: "Grant operate" }).uncheck();
  await page.getByRole("button", { name: "Grant access" }).click();
  const row = people.getByRole("listitem", { name: outsiderEmail });
  await expect(row).toContainText("collaborator");
  await expect(row.getByRole("checkbox", { name: `deploy for ${outsiderEmail}` })).toBeChecked();
  await expect(row.getByRole("checkbox", { name: `operate for ${outsiderEmail}` })).not.toBeChecked();
  // Team apps may grant manage.
  await expect(row.getByRole("checkbox", { name: `manage for ${outsiderEmail}` })).toBeEnabled();

  const lock = page.getByRole("region", { name: "Lock app" }).getByRole("switch");
  await expect(lock).toHaveAttribute("aria-checked", "false");
  await lock.click();
  await expect(lock).toHaveAttribute("aria-checked", "true");
  await page.reload();
  await expect(page.getByRole("region", { name: "Lock app" }).getByRole("switch")).toHaveAttribute("aria-checked", "true");
  await shot(page, "access-team");
});
