import { handlePlatformRequest } from "@/server/platform-api/handle";

// Heroku Platform API v3. next.config.js rewrites requests carrying the Heroku Accept
// header here from their original paths (`GET /apps/foo` → `/api/v3/apps/foo`).
export const dynamic = "force-dynamic";

type Params = { params: Promise<{ path: string[] }> };

const handler = async (req: Request, { params }: Params) => handlePlatformRequest(req, (await params).path);

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST, handler as PUT };
