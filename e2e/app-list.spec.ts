import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { uniqueSuffix } from "./helpers";

// The app list with more apps than a page: the first 50 by name, "Load more" for the rest,
// and the top bar's search answered by the server (name contains, any case).

const SHOTS = "e2e/screenshots";
const APPS = 62;

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

test("app list: pages of 50 with Load more, and search on the server", async ({ page }) => {
  test.setTimeout(240_000);
  const run = uniqueSuffix();
  await signUp(page, `e2e-list-${run}@example.com`, `pw-${run}-long-enough`);
  const names = Array.from({ length: APPS }, (_, i) => `ls${run}-${String(i).padStart(2, "0")}`);
  for (const name of names) {
    const res = await page.request.post("/api/trpc/apps.create", { data: { json: { name } } });
    expect(res.ok(), await res.text()).toBeTruthy();
  }

  const list = page.getByRole("list", { name: "Your apps" });
  await test.step("the first page holds 50 apps by name; Load more brings the rest", async () => {
    await page.goto("/apps");
    await expect(list.getByRole("listitem")).toHaveCount(50);
    await expect(list.getByRole("listitem").first()).toContainText(names[0]!);
    await expect(list.getByRole("listitem").last()).toContainText(names[49]!);
    await shot(page, "app-list-01-first-page");
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(list.getByRole("listitem")).toHaveCount(APPS);
    await expect(list.getByRole("listitem").last()).toContainText(names[APPS - 1]!);
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  });

  await test.step("typing in the search box asks the server, any case", async () => {
    const asked = page.waitForRequest((req) => req.url().includes("apps.list") && decodeURIComponent(req.url()).includes(`"q":"-5`));
    await page.getByRole("searchbox", { name: "Search apps" }).fill(`-5`);
    await asked;
    await expect(list.getByRole("listitem")).toHaveCount(10);
    await expect(page).toHaveURL(/\/apps\?q=-5$/);
    await page.getByRole("searchbox", { name: "Search apps" }).fill(`LS${run}-6`.toUpperCase());
    await expect(list.getByRole("listitem")).toHaveCount(2);
    await shot(page, "app-list-02-search");
    await page.getByRole("searchbox", { name: "Search apps" }).fill("no-such-app-anywhere");
    await expect(page.getByText("No apps match")).toBeVisible();
  });
});
