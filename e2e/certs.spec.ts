import fs from "node:fs";
import { expect, test } from "./test";
import { issueCert, makeTestCa } from "../server/testing/tls";
import { signUp, uniqueSuffix } from "./helpers";

// Settings → SSL certificates against a running platform: the HTTPS switches, a refused
// upload with its reason by the field, an upload from a test CA listed with the domain it
// serves, and its removal after confirming.

const SHOTS = "e2e/screenshots";

test("settings: SSL certificates and HTTPS settings", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `crt-${run}`;
  const domain = `www.${run}.example.com`;
  const ca = makeTestCa();
  try {
    const cert = issueCert(ca, [domain], { days: 90 });
    const otherKey = issueCert(ca, [domain]).keyPem;
    await signUp(page, `e2e-crt-${run}@example.com`, `pw-${run}-long-enough`);
    await page.getByRole("link", { name: "New app" }).click();
    await page.getByLabel(/App name/).fill(appName);
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Settings" }).click();
    const domains = page.getByRole("region", { name: "Domains" });
    await domains.getByLabel("Add a custom domain").fill(domain);
    await domains.getByRole("button", { name: "Add domain" }).click();
    await expect(domains.getByRole("listitem", { name: domain })).toBeVisible();

    const card = page.getByRole("region", { name: "SSL certificates" });
    await expect(card.getByText("No certificates uploaded")).toBeVisible();

    await test.step("a key that does not match is refused, with the reason by the field", async () => {
      await card.getByLabel("Certificate chain", { exact: true }).fill(cert.certPem);
      await card.getByLabel("Private key", { exact: true }).fill(otherKey);
      await card.getByRole("button", { name: "Upload certificate" }).click();
      await expect(card.getByRole("alert")).toContainText(`The private key does not belong to the certificate for ${domain}`);
    });

    await test.step("the matching key uploads; the certificate is listed with the domain it serves", async () => {
      await card.getByLabel("Private key", { exact: true }).fill(cert.keyPem);
      await card.getByRole("button", { name: "Upload certificate" }).click();
      const row = card.getByRole("list", { name: "Certificates" }).getByRole("listitem");
      await expect(row).toHaveCount(1);
      await expect(row).toContainText(domain);
      await expect(row).toContainText("Not publicly trusted");
      await expect(row).toContainText("issued by /CN=Slipway Test CA");
      await expect(card.getByLabel("Certificate chain", { exact: true })).toHaveValue("");
    });

    await test.step("redirect HTTP to HTTPS is a switch that stays on after a reload", async () => {
      const redirect = card.getByRole("switch", { name: "Redirect HTTP to HTTPS" });
      await expect(redirect).toHaveAttribute("aria-checked", "false");
      await redirect.click();
      await expect(page.getByRole("status").filter({ hasText: "HTTPS settings saved" })).toBeVisible();
      await page.reload();
      await expect(page.getByRole("region", { name: "SSL certificates" }).getByRole("switch", { name: "Redirect HTTP to HTTPS" })).toHaveAttribute("aria-checked", "true");
      await page.evaluate(() => document.querySelectorAll<HTMLElement>('[aria-label="Dismiss notification"]').forEach((b) => b.click()));
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: `${SHOTS}/settings-certificates.png` });
    });

    await test.step("remove the certificate after confirming", async () => {
      const name = (await card.getByRole("list", { name: "Certificates" }).getByRole("listitem").getAttribute("aria-label"))!.replace("Certificate ", "");
      await card.getByRole("button", { name: `Remove certificate ${name}` }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Remove certificate" }).click();
      await expect(card.getByText("No certificates uploaded")).toBeVisible();
    });
  } finally {
    fs.rmSync(ca.dir, { recursive: true, force: true });
  }
});
