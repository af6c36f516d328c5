import { execFileSync } from "node:child_process";
import { expect, test } from "./test";
import { signUp, uniqueSuffix } from "./helpers";
import { hostChromium } from "./browser";

type Holds = { __holds: EventSource[] };

/** A new bridge network: an interface gains an address, which Chromium takes for a network change. */
function createNetwork(name: string) {
  try {
    execFileSync("docker", ["network", "create", name], { stdio: "pipe" });
  } catch {
    // Docker's default address pools may be used up by other networks on this host.
    execFileSync("docker", ["network", "create", "--subnet", "10.203.254.0/24", name], { stdio: "pipe" });
  }
}

// The paths the foundation journey skips: random app names, editing and removing config
// vars, server-side validation shown inline, revoking keys, search from any page, 404s.

// In this host's network namespace, not the suite's own (e2e/chromium-netns.sh): the last step
// makes a Docker network to fail a request in flight, and that needs Chromium to see it.
test.use({ launchOptions: hostChromium });

test("config vars edit/remove, random names, revoke, search and 404", async ({ page }) => {
  const run = uniqueSuffix();
  const email = `e2e-d-${run}@example.com`;
  await signUp(page, email, `pw-${run}-long-enough`);

  let appName = "";
  await test.step("a blank name gets a random one", async () => {
    await page.getByRole("link", { name: "New app" }).click();
    await expect(page.getByLabel("Owner")).toHaveValue("");
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page).toHaveURL(/\/apps\/[a-z]+-[a-z]+-\d{4}$/);
    appName = new URL(page.url()).pathname.split("/")[2]!;
  });

  await test.step("edit a config var's key and value in one release", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    const config = page.getByRole("region", { name: "Config vars" });
    await config.getByLabel("New config var key").fill("FOO");
    await config.getByLabel("New config var value").fill("one");
    await config.getByRole("button", { name: "Add" }).click();
    await expect(config.getByText("Released v2")).toBeVisible();

    await config.getByRole("button", { name: "Edit FOO" }).click();
    await expect(config.getByLabel("Value of FOO")).toHaveValue("one");
    await config.getByLabel("Key (was FOO)").fill("BAR");
    await config.getByLabel("Value of FOO").fill("two");
    await config.getByRole("button", { name: "Save" }).click();
    await expect(config.getByText("Released v3")).toBeVisible();
    await expect(config.getByText("Set BAR config vars and remove FOO config vars")).toBeVisible();
    await expect(config.getByRole("listitem", { name: "FOO" })).toHaveCount(0);
    await config.getByRole("button", { name: "Reveal BAR" }).click();
    await expect(config.getByRole("listitem", { name: "BAR" })).toContainText("two");
  });

  await test.step("an invalid key is refused next to the form", async () => {
    const config = page.getByRole("region", { name: "Config vars" });
    await config.getByLabel("New config var key").fill("1BAD");
    await config.getByRole("button", { name: "Add" }).click();
    await expect(config.getByRole("alert")).toContainText("don't start with a digit");
    await expect(config.getByLabel("New config var key")).toHaveAttribute("aria-invalid", "true");
  });

  await test.step("remove a config var after confirming", async () => {
    const config = page.getByRole("region", { name: "Config vars" });
    await config.getByRole("button", { name: "Remove BAR" }).click();
    await page.getByRole("dialog", { name: "Remove BAR?" }).getByRole("button", { name: "Remove" }).click();
    await expect(config.getByText("Released v4")).toBeVisible();
    await expect(config.getByText("No config vars yet")).toBeVisible();
    await page.getByRole("link", { name: "Activity" }).click();
    await expect(page.getByRole("list", { name: "Releases" }).getByRole("listitem").first()).toContainText("Remove BAR config vars");
  });

  await test.step("search from any page jumps to the filtered list", async () => {
    await page.getByRole("searchbox", { name: "Search apps" }).fill(appName);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/apps\\?q=${appName}$`));
    await expect(page.getByRole("list", { name: "Your apps" })).toContainText(appName);
    await expect(page.getByRole("list", { name: "Your apps" })).toContainText(email);
  });

  await test.step("revoke an API key after confirming", async () => {
    await page.goto("/account");
    await page.getByLabel("Description").fill("short-lived");
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByLabel("New API key")).toHaveValue(/^slw_/);
    await page.getByRole("button", { name: "Revoke short-lived" }).click();
    await page.getByRole("dialog", { name: "Revoke this API key?" }).getByRole("button", { name: "Revoke key" }).click();
    await expect(page.getByRole("heading", { name: "No API keys" })).toBeVisible();
  });

  await test.step("a click whose request a network change kills still lands", async () => {
    // Chromium fails every request still waiting for a connection with ERR_NETWORK_CHANGED
    // when an interface gains an address, as each new app network does on a Slipway host.
    // Six log streams take this origin's six connections, so the revoke waits for one; a new
    // Docker network then kills it, and the dashboard sends it again.
    await page.getByLabel("Description").fill("network-change");
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByRole("button", { name: "Revoke network-change" })).toBeVisible();
    const failed: string[] = [];
    page.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    await page.evaluate((app) => {
      (window as unknown as Holds).__holds = Array.from({ length: 6 }, () => new EventSource(`/api/apps/${app}/logs?tail=1&format=json`));
    }, appName);
    await expect.poll(() => page.evaluate(() => (window as unknown as Holds).__holds.filter((e) => e.readyState === EventSource.OPEN).length)).toBe(6);
    await page.getByRole("button", { name: "Revoke network-change" }).click();
    const sent = page.waitForRequest(/account\.apiKeys\.revoke/);
    await page.getByRole("dialog", { name: "Revoke this API key?" }).getByRole("button", { name: "Revoke key" }).click();
    await sent;
    const network = `e2e-netchange-${run}`;
    createNetwork(network);
    try {
      await expect.poll(() => failed.filter((f) => /apiKeys\.revoke.*ERR_NETWORK_CHANGED/.test(f)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    } finally {
      await page.evaluate(() => (window as unknown as Holds).__holds.forEach((e) => e.close()));
      execFileSync("docker", ["network", "rm", network], { stdio: "pipe" });
    }
    await expect(page.getByRole("heading", { name: "No API keys" })).toBeVisible();
    await expect(page.getByRole("dialog")).toBeHidden();
  });

  await test.step("adding an unknown member is refused next to the field", async () => {
    const team = `t-${run}`;
    await page.goto("/teams/new");
    await page.getByLabel("Team name").fill(team);
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page).toHaveURL(new RegExp(`/teams/${team}$`));
    await page.getByLabel("Add a member by email").fill(`nobody-${run}@example.com`);
    await page.getByRole("button", { name: "Add member" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "No account with this email" })).toBeVisible();
  });

  await test.step("apps you cannot see are a 404", async () => {
    await page.goto(`/apps/no-such-app-${run}`);
    await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  });
});
