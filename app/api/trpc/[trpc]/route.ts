import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { crossSiteReason } from "@/server/http/same-origin";
import { createContext } from "@/server/trpc/context";
import { appRouter } from "@/server/trpc/root";

// Mutations arrive as POST. One made with the dashboard's cookie must come from our own
// pages (CSRF: server/http/same-origin.ts); tRPC answers the refusal in its own shape.
const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => {
      const refused = crossSiteReason(req);
      if (refused) throw new TRPCError({ code: "FORBIDDEN", message: refused });
      return createContext({ headers: req.headers });
    },
  });

export { handler as GET, handler as POST };
