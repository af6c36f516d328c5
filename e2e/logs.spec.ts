import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./test";
import type { Locator, Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// The Logs tab against a running platform with its dyno manager and log collector: a worker
// dyno that prints a numbered line every 400 ms shows up live, the process filter reconnects
// to just that dyno, search highlights the loaded lines, pause holds the view while lines
// keep arriving, the download is Heroku's text form, and a log drain (an HTTP receiver run
// by this spec) is added, delivers, and is removed.

const SHOTS = "e2e/screenshots";
const UP_TIMEOUT = 90_000;
const TICKER = `node -e "let i=0;setInterval(()=>console.log('tick '+(++i)),400)"`;
const HEROKU_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 [a-z]+(\[[\w.-]+\])?: .*$/;

async function shot(page: Page, name: string) {
  // Toasts are fixed to the viewport and would land over the cards in a full-page capture.
  await page.evaluate(() => document.querySelectorAll<HTMLElement>('[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await expect(page.getByRole("button", { name: "Dismiss notification" })).toHaveCount(0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** The tick numbers the log panel shows right now. */
async function ticks(log: Locator): Promise<number[]> {
  const text = await log.innerText();
  return [...text.matchAll(/app\[worker\.1\]: tick (\d+)/g)].map((m) => Number(m[1]));
}

async function lastTick(log: Locator): Promise<number> {
  return Math.max(0, ...(await ticks(log)));
}

/** An HTTP log drain receiver: keeps every request body. */
async function startReceiver() {
  const bodies: string[] = [];
  const tokens = new Set<string>();
  const server = http.createServer((req, res) => {
    tokens.add(String(req.headers["logplex-drain-token"]));
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/drain`, bodies, tokens, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test("logs: live lines, filters, search, pause, download, log drains", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `logs-${run}`;
  const email = `e2e-l-${run}@example.com`;
  await signUp(page, email, `pw-${run}-long-enough`);
  const receiver = await startReceiver();

  const viewer = page.getByRole("region", { name: "Application logs" });
  const log = viewer.getByRole("log", { name: "Log lines" });
  const status = viewer.getByRole("status");

  await test.step("a new app's Logs tab is live and says what will appear", async () => {
    await page.getByRole("link", { name: "New app" }).click();
    await page.getByLabel(/App name/).fill(appName);
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
    const tabs = page.getByRole("navigation", { name: "App sections" });
    // Heroku's order: Logs right after Activity (Metrics, when present, sits before Activity).
    const names = await tabs.getByRole("link").allInnerTexts();
    expect(names[names.indexOf("Activity") + 1]).toBe("Logs");
    await tabs.getByRole("link", { name: "Logs" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/logs$`));
    await expect(status).toHaveText("Live");
    await expect(log).toContainText("No log lines yet.");
    await expect(log).toContainText("slipway[router]");
    await expect(viewer.getByText("0 lines", { exact: true })).toBeVisible();
    await expect(page.getByRole("region", { name: "Log drains" }).getByText("No log drains")).toBeVisible();
    await shot(page, "logs-empty");
  });

  await test.step("deploy a worker that counts; its lines and the platform's appear without a reload", async () => {
    const deploy = await page.request.post("/api/trpc/releases.deployImage", {
      data: { json: { app: appName, image: "slipway/stack:bookworm", processTypes: { worker: TICKER } } },
    });
    expect(deploy.ok(), await deploy.text()).toBeTruthy();
    await expect(log).toContainText(`app[api]: Release v2 created by user ${email}`);
    const scale = await page.request.post("/api/trpc/formation.update", {
      data: { json: { app: appName, updates: [{ type: "worker", quantity: 1 }] } },
    });
    expect(scale.ok(), await scale.text()).toBeTruthy();
    await expect(log).toContainText("app[api]: Scaled to worker@1:standard-1x");
    await expect(log).toContainText("slipway[worker.1]: State changed from starting to up", { timeout: UP_TIMEOUT });
    await expect(log).toContainText("app[worker.1]: tick 1", { timeout: UP_TIMEOUT });
    // Live: later lines keep arriving on the open page.
    await expect.poll(() => lastTick(log), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await expect(viewer.getByText(/^\d+ lines$/)).toBeVisible();
    await shot(page, "logs-live");
  });

  await test.step("filter to worker.1: the stream reconnects with only that dyno's lines", async () => {
    await viewer.getByLabel("Process").selectOption("worker.1");
    await expect(log).not.toContainText("app[api]");
    await expect(log).toContainText("slipway[worker.1]: State changed from starting to up");
    const before = await lastTick(log);
    await expect.poll(() => lastTick(log), { timeout: 30_000 }).toBeGreaterThan(before);
    await expect(status).toHaveText("Live");

    // The source filter narrows it further: only what the dyno printed. By keyboard: Tab from
    // the process menu reaches the source choice, an arrow key picks the next one.
    await viewer.getByLabel("Process").focus();
    await page.keyboard.press("Tab");
    await expect(viewer.getByRole("radio", { name: "All" })).toBeFocused();
    await page.keyboard.press("ArrowRight");
    await expect(viewer.getByRole("radio", { name: "App" })).toBeChecked();
    await viewer.getByRole("group", { name: "Source" }).screenshot({ path: `${SHOTS}/logs-source-focus.png` });
    await expect(log).not.toContainText("slipway[worker.1]");
    await expect(log).toContainText("app[worker.1]: tick");
    await viewer.getByRole("radio", { name: "All" }).check();
    await expect(log).toContainText("slipway[worker.1]: State changed from starting to up");
  });

  await test.step("search filters and highlights the loaded lines", async () => {
    await viewer.getByLabel("Search loaded lines").fill("state CHANGED");
    await expect(log.locator("mark").first()).toHaveText("State changed");
    const rows = log.locator(":scope > div");
    await expect(rows).not.toHaveCount(0);
    for (const row of await rows.allInnerTexts()) expect(row).toContain("State changed");
    await expect(viewer.getByText(/^\d+ of \d+ lines match$/)).toBeVisible();
    await shot(page, "logs-search");
    await viewer.getByLabel("Search loaded lines").fill("no line says this");
    await expect(log).toContainText("No loaded line matches “no line says this”.");
    await viewer.getByLabel("Search loaded lines").press("Escape");
    await expect(viewer.getByLabel("Search loaded lines")).toHaveValue("");
    await expect(log).toContainText("app[worker.1]: tick");
  });

  await test.step("pause holds the view while lines arrive; resume shows them", async () => {
    await viewer.getByRole("button", { name: "Pause" }).click();
    await expect(status).toHaveText("Paused");
    const held = await lastTick(log);
    const waiting = log.locator("..").getByRole("button", { name: /^↓ \d+ new lines? · Resume$/ });
    await expect(waiting).toBeVisible();
    await expect.poll(async () => Number((await waiting.innerText()).match(/\d+/)![0])).toBeGreaterThanOrEqual(3);
    expect(await lastTick(log)).toBe(held);
    await shot(page, "logs-paused");
    await waiting.click();
    await expect(status).toHaveText("Live");
    await expect.poll(() => lastTick(log)).toBeGreaterThan(held + 2);
    await expect(viewer.getByRole("button", { name: "Pause" })).toBeVisible();
  });

  await test.step("scrolling up stops following; Jump to latest goes back", async () => {
    const jump = viewer.getByRole("button", { name: "↓ Jump to latest" });
    // The reader's own gesture: a wheel scroll up over the panel (lines keep arriving
    // meanwhile; a gesture landing in the same frame as a batch is tried again).
    await log.hover();
    await expect(async () => {
      await page.mouse.wheel(0, -5_000);
      await expect(jump).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    const top = await log.evaluate((el) => el.scrollTop);
    const before = await lastTick(log);
    await expect.poll(() => lastTick(log)).toBeGreaterThan(before);
    expect(await log.evaluate((el) => el.scrollTop)).toBe(top); // new lines did not pull the reader down
    await jump.click();
    await expect(jump).toHaveCount(0);
    await expect.poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(16);
  });

  await test.step("download saves the loaded lines in Heroku's text form", async () => {
    const [file] = await Promise.all([page.waitForEvent("download"), viewer.getByRole("button", { name: "Download" }).click()]);
    expect(file.suggestedFilename()).toMatch(new RegExp(`^${appName}-\\d{8}-\\d{6}\\.log$`));
    const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).toMatch(HEROKU_LINE);
    expect(text).toMatch(/\+00:00 app\[worker\.1\]: tick \d+\n/);
    expect(text).toContain(" slipway[worker.1]: State changed from starting to up\n");
  });

  const drains = page.getByRole("region", { name: "Log drains" });
  const drainUrl = drains.getByRole("textbox", { name: "Add a log drain" });

  await test.step("a drain URL the server refuses is explained under the field", async () => {
    await drainUrl.fill("ftp://logs.example.com");
    await drains.getByRole("button", { name: "Add drain" }).click();
    await expect(drains.getByRole("alert")).toContainText("Drain URLs must start with syslog://, syslog+tls://, https:// or http://");
    await expect(drainUrl).toHaveAttribute("aria-invalid", "true");
  });

  await test.step("add an HTTP drain: it is listed and delivers, and the receiver gets the lines", async () => {
    await drainUrl.fill(receiver.url);
    await drains.getByRole("button", { name: "Add drain" }).click();
    const row = drains.getByRole("listitem", { name: receiver.url });
    await expect(row).toBeVisible();
    await expect(row.getByText(/^d\.[0-9a-f-]{36}$/)).toBeVisible();
    await expect(drainUrl).toHaveValue("");
    // The status is polled: the badge and the counter follow delivery without a reload.
    await expect(row.getByText("Delivering", { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(row).toContainText(/Delivered\s*[1-9]/);
    await expect(row).toContainText("Last delivery");
    // Logplex's HTTPS frame (`<190>1 TIME host app worker.1 - tick N`), with the drain's token in a header.
    await expect.poll(() => receiver.bodies.join("")).toMatch(/<190>1 \S+ host app worker\.1 - tick \d+\n/);
    expect([...receiver.tokens]).toEqual([await row.getByText(/^d\./).innerText()]);
    await shot(page, "logs-drain");
  });

  await test.step("remove the drain after confirming", async () => {
    const row = drains.getByRole("listitem", { name: receiver.url });
    await row.getByRole("button", { name: `Remove ${receiver.url}` }).click();
    const dialog = page.getByRole("dialog", { name: "Remove this log drain?" });
    await expect(dialog).toContainText(`Lines stop going to ${receiver.url}`);
    await dialog.getByRole("button", { name: "Remove drain" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(row).toHaveCount(0);
    await expect(drains.getByText("No log drains")).toBeVisible();
  });

  await test.step("narrow and dark", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(log).toContainText("app[worker.1]: tick");
    await shot(page, "logs-mobile");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    await shot(page, "logs-dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  await test.step("delete the app", async () => {
    await page.goto(`/apps/${appName}/settings`);
    await page.getByRole("button", { name: "Delete app…" }).click();
    await page.getByLabel(/Type .* to confirm/).fill(appName);
    await page.getByRole("button", { name: "Delete app" }).click();
    await expect(page).toHaveURL(/\/apps$/);
  });

  await receiver.close();
});
