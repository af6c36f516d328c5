// Next.js calls register() once per server process: the single entry point for
// start-up work and, later, the long-lived services (reconciler, log collector, ...).
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { boot } = await import("@/server/boot");
    await boot();
  }
}
