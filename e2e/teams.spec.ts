import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// The team page end to end: invite by link, the invitee signs up through it in a second
// browser, role change, removal (their page is gone at once), a revoked link, and the
// switcher naming the team. Screenshots at 1440 and 390 px go to e2e/screenshots/.

const SHOTS = "e2e/screenshots";
const run = uniqueSuffix();
const adminEmail = `team-admin-${run}@example.com`;
const inviteeEmail = `team-invitee-${run}@example.com`;
const password = `pw-${run}-long-enough`;
const team = `crew-${run}`;

async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function invite(page: Page, email: string, role: string): Promise<string> {
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Invite someone to ${team}` });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Role").selectOption(role);
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  const link = page.getByRole("dialog", { name: "Invitation link" }).getByLabel("Invitation link");
  await expect(link).toHaveValue(/\/invite\/[\w-]{40,}$/);
  return link.inputValue();
}

test("team page: invite by link, sign up through it, change the role, remove", async ({ page, browser }) => {
  let link = "";

  await test.step("an admin creates a team", async () => {
    await signUp(page, adminEmail, password);
    await page.goto("/teams/new");
    await page.getByLabel("Team name").fill(team);
    await page.getByRole("button", { name: "Create team" }).click();
    await expect(page).toHaveURL(new RegExp(`/teams/${team}$`));
    await expect(page.getByRole("list", { name: "Team members" })).toContainText(adminEmail);
    // The only admin can neither leave nor step down, and says why.
    await expect(page.getByRole("button", { name: /Leave team \(the last admin cannot leave\)/ })).toBeDisabled();
    await expect(page.getByLabel(`Role of ${adminEmail}`)).toBeDisabled();
  });

  await test.step("the admin invites someone; the link is shown once with a copy button", async () => {
    link = await invite(page, inviteeEmail, "member");
    await expect(page.getByRole("dialog").getByRole("button", { name: "Copy" })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/teams-invite-link-1440.png` });
    await page.getByRole("button", { name: "Done" }).click();
    const pending = page.getByRole("list", { name: "Pending invitations" });
    await expect(pending).toContainText(inviteeEmail);
    await expect(pending).toContainText(/Expires (in 7 days|next week)/);
    await shot(page, "teams-admin-1440");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "teams-admin-390");
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  const invitee = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const inviteePage = await invitee.newPage();

  await test.step("the invitee signs up through the link (email locked) and lands on the team", async () => {
    await inviteePage.goto(link);
    await expect(inviteePage.getByRole("heading", { name: `Join ${team}` })).toBeVisible();
    await expect(inviteePage.getByLabel("Email")).toHaveValue(inviteeEmail);
    await expect(inviteePage.getByLabel("Email")).toHaveAttribute("readonly", "");
    await inviteePage.screenshot({ path: `${SHOTS}/teams-invite-signup-390.png`, fullPage: true });
    await inviteePage.getByLabel("Password").fill(password);
    await inviteePage.getByRole("button", { name: "Create account and join" }).click();
    await expect(inviteePage).toHaveURL(new RegExp(`/teams/${team}$`));
    await expect(inviteePage.getByRole("list", { name: "Team members" })).toContainText(inviteeEmail);
    // A member sees roles as text and no admin controls.
    await expect(inviteePage.getByLabel(`Role of ${adminEmail}`)).toHaveCount(0);
    await expect(inviteePage.getByRole("button", { name: `Remove ${adminEmail}` })).toHaveCount(0);
    await expect(inviteePage.getByRole("button", { name: "Save permissions" })).toHaveCount(0);
    await expect(inviteePage.getByRole("button", { name: /Delete team/ })).toBeDisabled();
    await expect(inviteePage.getByRole("button", { name: /Switch account or team/ })).toContainText(team);
    await shot(inviteePage, "teams-member-390");
  });

  await test.step("the admin sees the new member and changes their role", async () => {
    await page.reload();
    await expect(page.getByRole("list", { name: "Team members" })).toContainText(inviteeEmail);
    await expect(page.getByText("No pending invitations.")).toBeVisible();
    await page.getByLabel(`Role of ${inviteeEmail}`).selectOption("viewer");
    await expect(page.getByText(`${inviteeEmail} is now viewer`)).toBeVisible();
    await inviteePage.reload();
    await expect(inviteePage.getByRole("listitem", { name: inviteeEmail, exact: true })).toContainText("viewer");
  });

  await test.step("the used link says so", async () => {
    await inviteePage.goto(link);
    await expect(inviteePage.getByRole("heading", { name: "Invitation already used" })).toBeVisible();
  });

  await test.step("the admin removes the member, whose team page is gone at once", async () => {
    await page.getByRole("button", { name: `Remove ${inviteeEmail}` }).click();
    await page.getByRole("dialog", { name: `Remove ${inviteeEmail}?` }).getByRole("button", { name: "Remove member" }).click();
    await expect(page.getByRole("list", { name: "Team members" })).not.toContainText(inviteeEmail);
    await inviteePage.goto(`/teams/${team}`);
    await expect(inviteePage.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  });

  await test.step("a revoked link gives a clear page", async () => {
    const revoked = await invite(page, `revoked-${run}@example.com`, "viewer");
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("button", { name: `Revoke the invitation of revoked-${run}@example.com` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke invitation" }).click();
    await expect(page.getByText("No pending invitations.")).toBeVisible();
    const stranger = await browser.newContext();
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(revoked);
    await expect(strangerPage.getByRole("heading", { name: "Invitation revoked" })).toBeVisible();
    await stranger.close();
  });

  await test.step("the switcher names the team on its new-app page", async () => {
    await page.goto(`/apps/new?team=${team}`);
    await expect(page.getByRole("button", { name: /Switch account or team/ })).toContainText(team);
  });

  await invitee.close();
});
