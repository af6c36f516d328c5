import { db } from "@/server/db";

export const dynamic = "force-dynamic";

// Liveness for scripts/up.sh and load balancers: the server answers and the database too.
export async function GET() {
  try {
    await db.$queryRaw`SELECT 1`;
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
}
