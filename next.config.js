// Platform API requests (the `heroku` CLI) and dashboard pages share paths such as
// /apps/{name}: Heroku tells them apart by the Accept header, so do we.
const HEROKU_ACCEPT = ".*application/vnd\\.heroku\\+json.*";

/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: ["dockerode", "ssh2", "@electric-sql/pglite", "pglite-prisma-adapter", "bcryptjs"],
  poweredByHeader: false,
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
