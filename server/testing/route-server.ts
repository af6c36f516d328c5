// Serves App Router route handlers on a plain Node HTTP server, for tests and benches
// that need a real HTTP peer (git, curl) without starting Next.js. Only the routing that
// next.config.js does for them is mirrored here.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response> | Response;
export type Route = { pattern: RegExp; params: (m: RegExpExecArray) => Record<string, string | string[]>; methods: Partial<Record<string, Handler>> };

export async function serveRoutes(routes: Route[]) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    for (const route of routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      const handler = route.methods[req.method ?? "GET"];
      if (!handler) break;
      const abort = new AbortController();
      res.on("close", () => abort.abort());
      const request = new Request(new URL(req.url ?? "/", `http://${req.headers.host}`), {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : (Readable.toWeb(req) as ReadableStream),
        signal: abort.signal,
        duplex: "half",
      } as RequestInit);
      try {
        const response = await handler(request, { params: Promise.resolve(route.params(m)) });
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
        else res.end();
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
      return;
    }
    res.writeHead(404).end("not found\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `/<app>.git/<path>` → the git route, as next.config.js rewrites it. */
export async function gitRoute(): Promise<Route> {
  const methods = (await import("@/app/api/git/[app]/[...path]/route")) as unknown as Route["methods"];
  return { pattern: /^\/([a-z][a-z0-9-]*)\.git\/(.+)$/, params: (m) => ({ app: m[1], path: m[2].split("/") }), methods };
}

/** `/api/apps/<app>/builds` → the tarball upload route. */
export async function uploadRoute(): Promise<Route> {
  const methods = (await import("@/app/api/apps/[app]/builds/route")) as unknown as Route["methods"];
  return { pattern: /^\/api\/apps\/([^/]+)\/builds$/, params: (m) => ({ app: m[1] }), methods };
}

/** `/api/trpc/<path>` → the tRPC route (queries, mutations, SSE subscriptions). */
export async function trpcRoute(): Promise<Route> {
  const methods = (await import("@/app/api/trpc/[trpc]/route")) as unknown as Route["methods"];
  return { pattern: /^\/api\/trpc\/(.+)$/, params: (m) => ({ trpc: m[1] }), methods };
}

/** `/api/apps/<app>/<logs|run>` → the log stream and one-off routes. */
export async function appStreamRoutes(): Promise<Route[]> {
  const logs = (await import("@/app/api/apps/[app]/logs/route")) as unknown as Route["methods"];
  const run = (await import("@/app/api/apps/[app]/run/route")) as unknown as Route["methods"];
  return [
    { pattern: /^\/api\/apps\/([^/]+)\/logs$/, params: (m) => ({ app: m[1] }), methods: logs },
    { pattern: /^\/api\/apps\/([^/]+)\/run$/, params: (m) => ({ app: m[1] }), methods: run },
  ];
}

/** `/api/v3/<path>` → the Platform API. */
export async function platformRoute(): Promise<Route> {
  const methods = (await import("@/app/api/v3/[...path]/route")) as unknown as Route["methods"];
  return { pattern: /^\/api\/v3\/(.+)$/, params: (m) => ({ path: m[1].split("/") }), methods };
}
