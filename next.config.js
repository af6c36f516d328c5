// Platform API requests (the `heroku` CLI) and dashboard pages share paths such as
// /apps/{name}: Heroku tells them apart by the Accept header, so do we.
const HEROKU_ACCEPT = ".*application/vnd\\.heroku\\+json.*";

// Security headers for every answer. Next.js App Router pages carry inline bootstrap
// scripts and style attributes, so script-src/style-src allow 'unsafe-inline' (nonces would
// need a middleware and make every page dynamic); everything else is same-origin only and
// no site may frame the dashboard. The dev server also needs eval and its HMR websocket.
const isDev = process.env.NODE_ENV !== "production";
const CSP = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CSP },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), hid=(), midi=(), browsing-topics=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["dockerode", "ssh2", "@electric-sql/pglite", "pglite-prisma-adapter", "bcryptjs"],
  poweredByHeader: false,
  // npm test type-checks the whole repository with tsc first (a superset of the build's
  // check) and says so; `npm run up` keeps the build's own check.
  typescript: { ignoreBuildErrors: process.env.SLIPWAY_TYPECHECKED === "1" },
  // npm test's builds reuse Turbopack's cache of the last build on this machine
  // (ensure_build, SLIPWAY_NEXT_BUILD_CACHE): ~15 s instead of ~30 s. Experimental for
  // production builds, so `npm run up` builds without it.
  ...(process.env.SLIPWAY_NEXT_BUILD_CACHE ? { experimental: { turbopackFileSystemCacheForBuild: true } } : {}),
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
  async rewrites() {
    return {
      beforeFiles: [
        {
          source: "/:path*",
          has: [{ type: "header", key: "accept", value: HEROKU_ACCEPT }],
          destination: "/api/v3/:path*",
        },
        // git remotes use Heroku's path: http://host/<app>.git
        { source: "/:app([a-z][a-z0-9-]*).git/:path*", destination: "/api/git/:app/:path*" },
      ],
    };
  },
};

export default nextConfig;
