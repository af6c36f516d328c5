import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// Where dynos run: the installation admin deploys an app, the Resources tab says which node
// web.1 runs on, and the admins-only Installation page (from the account menu) lists that
// node with its dynos and memory (engine driver: one row, this machine, no drain). Someone
// else is shown the refusal, and the menu has no such link for them.

const SHOTS = "e2e/screenshots";
const WEB = `node -e "require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT)"`;

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

test("nodes: the Resources tab and the installation page say where dynos run", async ({ page, browser }) => {
  const email = process.env.SLIPWAY_TEST_ADMIN_EMAIL!;
  const password = process.env.SLIPWAY_TEST_ADMIN_PASSWORD!;
  expect(email, "run through scripts/with-platform.sh (it makes the installation admin)").toBeTruthy();
  const appName = `nodes-${uniqueSuffix()}`;

  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/apps$/);

  let node = "";
  await test.step("web.1 of a deployed app says which node it runs on", async () => {
    const created = await page.request.post("/api/trpc/apps.create", { data: { json: { name: appName } } });
    expect(created.ok(), await created.text()).toBeTruthy();
    const res = await page.request.post("/api/trpc/releases.deployImage", {
      data: { json: { app: appName, image: "slipway/stack:bookworm", processTypes: { web: WEB } } },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
    await page.goto(`/apps/${appName}/resources`);
    const web1 = page.getByRole("listitem", { name: "web.1", exact: true });
    await expect(web1.getByText("up", { exact: true })).toBeVisible({ timeout: 90_000 });
    const on = web1.getByTitle("The node this dyno runs on");
    await expect(on).toBeVisible();
    node = (await on.textContent())!.trim();
    expect(node.length).toBeGreaterThan(0);
    await shot(page, "nodes-resources");
  });

  await test.step("the Installation page lists that node, its dynos and memory", async () => {
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Installation" }).click();
    await expect(page).toHaveURL(/\/installation$/);
    const row = page.getByRole("row", { name: node, exact: true });
    await expect(row).toBeVisible();
    await expect(row.getByText("ready", { exact: true })).toBeVisible();
    await expect(row.getByText("active", { exact: true })).toBeVisible();
    await expect(row.getByText("This machine")).toBeVisible();
    await expect(row.getByText(/\d+(\.\d)? GB|\d+ MB/)).toBeVisible();
    const dynos = Number(await row.getByRole("cell").nth(4).textContent());
    expect(dynos).toBeGreaterThanOrEqual(1);
    await expect(page.getByText("Every dyno runs on this machine's Docker Engine")).toBeVisible();
    await expect(page.getByRole("button", { name: "Drain" })).toHaveCount(0);
    await shot(page, "nodes-installation");
  });

  await test.step("someone else is refused the page and has no link to it", async () => {
    const other = await browser.newPage();
    const run = uniqueSuffix();
    await signUp(other, `e2e-n-${run}@example.com`, `pw-${run}-long-enough`);
    await other.getByRole("button", { name: "Account menu" }).click();
    await expect(other.getByRole("menuitem", { name: "Account settings" })).toBeVisible();
    await expect(other.getByRole("menuitem", { name: "Installation" })).toHaveCount(0);
    await other.goto("/installation");
    await expect(other.getByRole("heading", { name: "Only the installation's admins can see this page" })).toBeVisible();
    await expect(other.getByRole("row")).toHaveCount(0);
    await other.close();
  });

  await test.step("clean up", async () => {
    const res = await page.request.post("/api/trpc/apps.destroy", { data: { json: { app: appName, confirm: appName } } });
    expect(res.ok(), await res.text()).toBeTruthy();
  });
});
