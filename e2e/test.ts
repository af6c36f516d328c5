// The specs' `test` and `expect`: Playwright's, with every page's goto and reload tried again
// when Chromium failed the navigation with ERR_NETWORK_CHANGED.
//
// Chromium fails the requests still waiting for a connection whenever an interface on this
// host gains an address, and on a Slipway host that is every new app network (the other
// worker's spec makes them). CI lost a spec to it: `page.goto: net::ERR_NETWORK_CHANGED`.
// The navigation never happened, so loading it again is what a user's next click does;
// nothing else is retried (a failed request inside a page stays the dashboard's to handle,
// and app-details.spec.ts proves it does).
import { test as base, type BrowserContext, type Page } from "@playwright/test";

export { expect } from "@playwright/test";

const steadied = new WeakSet<Page>();

async function again<T>(what: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (err) {
      if (attempt === 3 || !/net::ERR_NETWORK_CHANGED/.test(String(err))) throw err;
    }
  }
}

function steady(page: Page) {
  if (steadied.has(page)) return;
  steadied.add(page);
  const goto = page.goto.bind(page);
  const reload = page.reload.bind(page);
  page.goto = (url, options) => again(() => goto(url, options));
  page.reload = (options) => again(() => reload(options));
}

function steadyContext(context: BrowserContext) {
  context.pages().forEach(steady);
  context.on("page", steady);
}

export const test = base.extend({
  // Contexts a spec makes itself (a second user's) as well as the default one.
  browser: [
    async ({ browser }, use) => {
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const context = await newContext(options);
        steadyContext(context);
        return context;
      };
      await use(browser);
    },
    { scope: "worker" },
  ],
  context: async ({ context }, use) => {
    steadyContext(context);
    await use(context);
  },
});
