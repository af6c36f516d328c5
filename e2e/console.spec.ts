import { expect, test } from "./test";
import type { Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// The browser console on the Resources tab: a shell in a new one-off dyno over SSE + POST,
// rendered by xterm.js. Type a command, read its output from the terminal's rows, close it
// and see its dyno go.

const SHOTS = "e2e/screenshots";
const WEB = `node -e "require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT)"`;

/** The app's dyno names, from the dashboard's own API (the Resources list's source). */
async function dynoNames(page: Page, app: string): Promise<string[]> {
  const res = await page.request.get(`/api/trpc/dynos.list?input=${encodeURIComponent(JSON.stringify({ json: { app } }))}`);
  expect(res.ok(), await res.text()).toBeTruthy();
  return ((await res.json()) as { result: { data: { json: { name: string }[] } } }).result.data.json.map((d) => d.name);
}

test("console: a shell in a one-off dyno, typed into and read from the browser", async ({ page, browser }) => {
  const run = uniqueSuffix();
  const appName = `con-${run}`;
  const bobEmail = `e2e-con-bob-${run}@example.com`;
  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  await signUp(bob, bobEmail, `pw-${run}-long-enough`);
  await signUp(page, `e2e-con-${run}@example.com`, `pw-${run}-long-enough`);
  await page.getByRole("link", { name: "New app" }).click();
  await page.getByLabel(/App name/).fill(appName);
  await page.getByRole("button", { name: "Create app" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
  // A one-off runs the current release: deploy an image.
  const res = await page.request.post("/api/trpc/releases.deployImage", {
    data: { json: { app: appName, image: "slipway/stack:bookworm", processTypes: { web: WEB } } },
  });
  expect(res.ok(), await res.text()).toBeTruthy();

  // Bob collaborates with every permission a personal app's collaborator gets (operate too).
  const origin = new URL(page.url()).origin;
  const added = await page.request.post("/api/trpc/access.add", { data: { json: { app: appName, email: bobEmail } }, headers: { Origin: origin } });
  expect(added.status(), await added.text()).toBe(200);

  await page.goto(`/apps/${appName}/resources`);
  const consoleSection = page.getByRole("region", { name: "Console" });
  const started = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/apps/${appName}/console`));
  await consoleSection.getByRole("button", { name: "Open console" }).click();
  const startedRes = await started;
  expect(startedRes.status(), await startedRes.text()).toBe(201);
  const { id } = (await startedRes.json()) as { id: string };
  const rows = consoleSection.locator(".xterm-rows");
  await expect(rows).toContainText(/Running on run\.\d+/, { timeout: 60_000 });
  const dyno = /Running on (run\.\d+)/.exec((await rows.textContent()) ?? "")![1]!;
  expect(await dynoNames(page, appName)).toContain(dyno);

  await consoleSection.locator(".xterm").click();
  await page.keyboard.type("echo $((6*7))");
  await page.keyboard.press("Enter");
  // The typed line holds "6*7", never "42": a row that is exactly 42 is the shell's answer.
  await expect
    .poll(async () => (await rows.locator(":scope > div").allTextContents()).map((t) => t.trim()), { timeout: 30_000 })
    .toContain("42");
  await test.step("the console is its starter's: a collaborator with operate is told it does not exist", async () => {
    const input = await bob.request.post(`/api/apps/${appName}/console/${id}/input`, { data: { data: "exit\r" }, headers: { Origin: origin } });
    expect(input.status()).toBe(404);
    expect(await input.text()).toContain("Couldn't find that console session");
    const stream = await bob.request.get(`/api/apps/${appName}/console/${id}/stream`);
    expect(stream.status()).toBe(404);
  });
  await consoleSection.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/console.png` });

  await test.step("closing the console stops its dyno", async () => {
    await consoleSection.getByRole("button", { name: "Close console" }).click();
    await expect.poll(() => dynoNames(page, appName), { timeout: 30_000 }).not.toContain(dyno);
  });

  await bobContext.close();
  await page.request.post("/api/trpc/apps.destroy", { data: { json: { app: appName, confirm: appName } } });
});
