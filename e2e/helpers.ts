import { expect, type Page } from "@playwright/test";

/** A short, unique, lowercase suffix: valid in app, team and email names. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export async function signUp(page: Page, email: string, password: string) {
  const submit = page.getByRole("button", { name: "Create account" });
  // Chromium fails requests in flight with ERR_NETWORK_CHANGED when an interface on this host
  // gains an address (another spec's app network or bridge, on the other worker). A page whose
  // script chunk died so never hydrates, and its submit button stays disabled (SubmitButton):
  // seen on CI, a sign-up waited out the whole test timeout. Load such a page again.
  for (let attempt = 1; ; attempt++) {
    await page.goto("/signup");
    await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
    try {
      await expect(submit).toBeEnabled({ timeout: 20_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await submit.click();
  await expect(page).toHaveURL(/\/apps$/);
}
