import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { forwardFrom, randomLoopbackAddress } from "../server/testing/from-address";
import { signUp, uniqueSuffix } from "./helpers";

// Login protection in the dashboard: the sign-in form after ten failures, and "Sign out
// everywhere" ending another browser's session. The failing browser reaches the platform
// through a forwarder from an address of its own (127.x.y.z): every other spec signs in from
// 127.0.0.1, which must never be locked out by this one.

const SHOTS = "e2e/screenshots";
const base = process.env.SLIPWAY_E2E_BASE_URL ?? "http://localhost:3000";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function submitSignIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

test("the login form shows the lockout after ten failed sign-ins, with when to retry", async ({ page, browser }) => {
  const run = uniqueSuffix();
  const email = `e2e-lock-${run}@example.com`;
  const password = `pw-${run}-long-enough`;
  await signUp(page, email, password);

  const forwarder = await forwardFrom(randomLoopbackAddress(), base);
  const elsewhere = await browser.newContext({ baseURL: forwarder.url });
  try {
    const other = await elsewhere.newPage();
    await other.goto("/login");
    for (let i = 0; i < 10; i++) {
      await submitSignIn(other, email, `wrong-${i}`);
      await expect(other.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect.");
    }
    await submitSignIn(other, email, password);
    const lockout = other.locator("form").getByRole("alert");
    await expect(lockout).toHaveText("Too many failed attempts for this account or from this address. Try again in 15 minutes.");
    await expect(other).toHaveURL(/\/login/);
    await shot(other, "login-lockout");
    await other.setViewportSize({ width: 390, height: 844 });
    await shot(other, "login-lockout-mobile");
  } finally {
    await elsewhere.close();
    await forwarder.close();
  }
});

test("Sign out everywhere ends every browser's session, this one's too", async ({ page, browser }) => {
  const run = uniqueSuffix();
  const email = `e2e-out-${run}@example.com`;
  const password = `pw-${run}-long-enough`;
  await signUp(page, email, password);

  const second = await browser.newContext();
  try {
    const other = await second.newPage();
    await other.goto("/login");
    await submitSignIn(other, email, password);
    await expect(other).toHaveURL(/\/apps$/);

    await page.goto("/account");
    const sessions = page.getByRole("region", { name: "Sessions" });
    await expect(sessions).toContainText("7 days");
    await shot(page, "account-sessions");
    await sessions.getByRole("button", { name: "Sign out everywhere…" }).click();
    const dialog = page.getByRole("dialog", { name: "Sign out everywhere?" });
    await expect(dialog).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/account-sign-out-everywhere-dialog.png` });
    await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect(page).toHaveURL(/\/login/);

    await other.goto("/apps");
    await expect(other).toHaveURL(/\/login/);
    await expect(other.getByRole("heading", { name: "Sign in to Slipway" })).toBeVisible();

    // Signing in again works, and the Account page fits a phone.
    await submitSignIn(page, email, password);
    await expect(page).toHaveURL(/\/apps$/);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/account");
    await expect(page.getByRole("region", { name: "Sessions" })).toBeVisible();
    await shot(page, "account-sessions-mobile");
  } finally {
    await second.close();
  }
});
