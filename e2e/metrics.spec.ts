import http from "node:http";
import { expect, test } from "./test";
import type { Locator, Page } from "@playwright/test";
import { signUp, uniqueSuffix } from "./helpers";

// The Metrics tab against a running platform: an app deployed from the stack image runs a
// web dyno and a busy worker, requests go through the router (served ones, 404s and
// connections dropped without an answer, H13), a restart is asked for, and the page shows
// every chart filled in without a reload. scripts/test.sh samples every 2 s and reads the
// router's counters every 3 s, so the charts fill within a couple of minutes.

const SHOTS = "e2e/screenshots";
const FILL_TIMEOUT = 240_000;
// A web process with a little memory that grows, some slow answers, 404s and dropped connections.
const WEB = [
  `node -e "const keep = []; require('http').createServer((q, s) => {`,
  `if (q.url.startsWith('/close')) return q.socket.destroy();`,
  `if (q.url.startsWith('/missing')) { s.statusCode = 404; return s.end('none'); }`,
  `keep.push(Buffer.alloc(64 * 1024, 1)); if (keep.length > 600) keep.shift();`,
  `setTimeout(() => s.end('ok'), q.url.startsWith('/slow') ? 150 + Math.random() * 350 : Math.random() * 25);`,
  `}).listen(process.env.PORT)"`,
].join(" ");
// A worker holding 80 MB and keeping about a third of a core busy.
const WORKER = `node -e "globalThis.keep = Buffer.alloc(80 * 1024 * 1024, 1); setInterval(() => { const t = Date.now(); while (Date.now() - t < 30); }, 100)"`;

async function shot(page: Page, name: string) {
  await page.evaluate(() => document.querySelectorAll<HTMLElement>('[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function trpc<T>(page: Page, kind: "query" | "mutation", path: string, input: unknown): Promise<T> {
  const res =
    kind === "query"
      ? await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
      : await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(res.ok(), `${path}: ${await res.text()}`).toBeTruthy();
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

/** One request through the router; the status, or 0 when the connection failed. */
function request(port: number, host: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers: { host }, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
  });
}

/** Requests until stopped: mostly `/`, some slow ones, a 404 every 10th and an H13 every 25th. */
function startLoad(port: number, host: string) {
  let running = true;
  const statuses: number[] = [];
  const loop = async () => {
    for (let i = 0; running; i++) {
      const path = i % 25 === 24 ? "/close" : i % 10 === 9 ? "/missing" : i % 4 === 3 ? "/slow" : "/";
      statuses.push(await request(port, host, path));
      await new Promise((r) => setTimeout(r, 40));
    }
  };
  const done = Promise.all([loop(), loop()]);
  return { statuses, stop: async () => ((running = false), await done) };
}

/** Marks drawn inside a chart card: curves, bars or lone points. */
const drawn = (card: Locator) => card.locator(".recharts-curve, .recharts-bar-rectangle path, .recharts-bar-rectangle rect, .recharts-layer circle");

test("metrics: an app under load shows memory, CPU, response times, throughput and router errors", async ({ page }) => {
  const run = uniqueSuffix();
  const appName = `met-${run}`;
  await signUp(page, `e2e-met-${run}@example.com`, `pw-${run}-long-enough`);

  await test.step("a new app's Metrics tab says why there is nothing yet", async () => {
    await page.getByRole("link", { name: "New app" }).click();
    await page.getByLabel(/App name/).fill(appName);
    await page.getByRole("button", { name: "Create app" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}$`));
    await page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name: "Metrics" }).click();
    await expect(page).toHaveURL(new RegExp(`/apps/${appName}/metrics$`));
    await expect(page.getByRole("heading", { name: "No metrics in the last hour" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Scale dynos" })).toHaveAttribute("href", `/apps/${appName}/resources`);
    await shot(page, "metrics-empty");
  });

  const app = await test.step("deploy a web process and a busy worker", async () => {
    await trpc(page, "mutation", "releases.deployImage", {
      app: appName,
      image: "slipway/stack:bookworm",
      processTypes: { web: WEB, worker: WORKER },
    });
    await trpc(page, "mutation", "formation.update", { app: appName, updates: [{ type: "worker", quantity: 1 }] });
    await expect
      .poll(async () => (await trpc<{ name: string; state: string }[]>(page, "query", "dynos.list", { app: appName })).filter((d) => d.state === "up").map((d) => d.name).sort().join(), { timeout: 90_000 })
      .toBe("web.1,worker.1");
    return trpc<{ webUrl: string }>(page, "query", "apps.get", { app: appName });
  });

  const url = new URL(app.webUrl);
  const host = url.hostname;
  const port = Number(url.port);
  await expect.poll(() => request(port, host, "/"), { timeout: 30_000 }).toBe(200);
  const load = startLoad(port, host);

  await test.step("under load, every chart fills in without a reload", async () => {
    // A restart during the load: a marker on every chart.
    await trpc(page, "mutation", "dynos.restart", { app: appName, type: "worker" });
    // Lines need two neighbouring points: wait until each series has two minutes measured.
    type Series = (number | null)[];
    type M = { processTypes: { type: string; memoryAvgMb: Series; cpuAvg: Series }[]; router: { p50: Series; errors: { code: string }[] } };
    const minutes = (s: Series | undefined) => (s ?? []).filter((v) => v !== null).length;
    await expect
      .poll(
        async () => {
          const m = await trpc<M>(page, "query", "metrics.get", { app: appName, range: "1h" });
          const web = m.processTypes.find((t) => t.type === "web");
          return Math.min(minutes(web?.memoryAvgMb), minutes(web?.cpuAvg), minutes(m.router.p50), m.router.errors.length ? 2 : 0);
        },
        { timeout: FILL_TIMEOUT, intervals: [5_000] },
      )
      .toBeGreaterThanOrEqual(2);

    const memory = page.getByRole("region", { name: "Memory" });
    const cpu = page.getByRole("region", { name: "CPU" });
    const responseTime = page.getByRole("region", { name: "Response time" });
    const throughput = page.getByRole("region", { name: "Throughput" });
    const errors = page.getByRole("region", { name: "Router errors" });
    const events = page.getByRole("region", { name: "Events" });
    // The page refetches every 15 s on its own: wait until it draws lines, not lone points.
    await expect(responseTime.locator(".recharts-line-curve")).toHaveCount(3, { timeout: 30_000 });
    const isLine = (curve: Locator) => expect.poll(async () => (await curve.getAttribute("d")) ?? "", { timeout: 30_000 }).toMatch(/[LC]/);
    await isLine(responseTime.locator(".recharts-line-curve").first());
    await isLine(memory.locator(".recharts-area-curve").first());
    for (const card of [memory, cpu, throughput, errors]) await expect(drawn(card).first()).toBeVisible();
    await expect(memory.getByText("Per web dyno · standard-1x")).toBeVisible();
    await expect(memory.getByRole("list", { name: "Memory legend" })).toContainText("Quota (512 MB)");
    await expect(throughput.getByRole("list", { name: "Throughput legend" })).toContainText("2xx");
    await expect(throughput.getByRole("list", { name: "Throughput legend" })).toContainText("4xx");
    await expect(errors.getByRole("list", { name: "Router errors legend" })).toContainText("H13");
    await expect(events.getByRole("list", { name: "Events" })).toContainText("Restarted worker dynos");
    await expect(events.getByRole("list", { name: "Events" })).toContainText("v2 · Deploy slipway/stack:bookworm");
    await expect(page.getByText(/Live · updated \d\d:\d\d/)).toBeVisible();
    // Deploy and restart markers are drawn on the charts.
    await expect(memory.locator(".recharts-reference-line")).not.toHaveCount(0);
    await shot(page, "metrics");
  });

  await test.step("the worker's process type and other ranges", async () => {
    await page.getByRole("group", { name: "Process type" }).getByRole("button", { name: "worker" }).click();
    const memory = page.getByRole("region", { name: "Memory" });
    await expect(memory.getByText("Per worker dyno · standard-1x")).toBeVisible();
    await expect(drawn(memory).first()).toBeVisible();
    const summary = await memory.getByText("average, latest").locator("..").textContent();
    expect(Number(/([\d.]+) MB/.exec(summary ?? "")?.[1])).toBeGreaterThan(80);

    const ranges = page.getByRole("group", { name: "Time range" });
    await ranges.getByRole("button", { name: "24h" }).click();
    await expect(ranges.getByRole("button", { name: "24h" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByText("over the last 24 hours")).toBeVisible();
    await expect(drawn(page.getByRole("region", { name: "Throughput" })).first()).toBeVisible();
    await shot(page, "metrics-24h");
    await ranges.getByRole("button", { name: "1h" }).click();
    await page.getByRole("group", { name: "Process type" }).getByRole("button", { name: "web" }).click();
  });

  await test.step("narrow and dark", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByRole("region", { name: "Memory" })).toBeVisible();
    await shot(page, "metrics-mobile");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "dark" });
    await shot(page, "metrics-dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  await load.stop();
  expect(load.statuses.filter((s) => s === 200).length).toBeGreaterThan(50);

  await test.step("clean up", async () => {
    await trpc(page, "mutation", "apps.destroy", { app: appName, confirm: appName });
  });
});
