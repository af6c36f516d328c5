import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { AppError } from "@/server/errors";
import { withBodyLimit } from "@/server/http/body-limit";
import { withIdempotency } from "@/server/http/idempotency";
import { crossSiteReason } from "@/server/http/same-origin";
import { createContext } from "@/server/trpc/context";
import { appRouter } from "@/server/trpc/root";

// Mutations arrive as POST. One made with the dashboard's cookie must come from our own
// pages (CSRF: server/http/same-origin.ts); tRPC answers the refusal in its own shape.
// A mutation the dashboard sends again after a lost answer carries the first attempt's
// Idempotency-Key and gets that attempt's answer (server/http/idempotency.ts).
const handler = (req: Request) => withIdempotency(req, handleTrpc);

const handleTrpc = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req: withBodyLimit(req, (message) => new TRPCError({ code: "PAYLOAD_TOO_LARGE", message })),
    router: appRouter,
    createContext: () => {
      const refused = crossSiteReason(req);
      if (refused) throw new TRPCError({ code: "FORBIDDEN", message: refused });
      return createContext({ headers: req.headers });
    },
    // A lockout (TOO_MANY_REQUESTS) says when to come back, as HTTP does.
    responseMeta({ errors }) {
      const retryAfter = errors.map((e) => (e.cause instanceof AppError ? e.cause.details?.retryAfterSeconds : undefined)).find(Boolean);
      return retryAfter ? { headers: new Headers({ "Retry-After": String(retryAfter) }) } : {};
    },
  });

export { handler as GET, handler as POST };
