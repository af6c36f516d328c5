import NextAuth from "next-auth";
import { authOptions } from "@/server/auth/options";
import { rateLimitedAnswer } from "@/server/auth/next-auth-answer";

const handler = NextAuth(authOptions);

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// A locked-out sign-in is 429 with Retry-After, not next-auth's 401 for every refusal.
async function POST(req: Request, ctx: RouteContext) {
  const res: Response = await handler(req, ctx);
  return (await rateLimitedAnswer(res)) ?? res;
}

export { handler as GET, POST };
