import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { withBodyLimit } from "@/server/http/body-limit";
import { createContext } from "@/server/trpc/context";
import { appRouter } from "@/server/trpc/root";

const handler = (req: Request) =>
  fetchRequestHandler({ endpoint: "/api/trpc", req: withBodyLimit(req, (message) => new TRPCError({ code: "PAYLOAD_TOO_LARGE", message })), router: appRouter, createContext: () => createContext({ headers: req.headers }) });

export { handler as GET, handler as POST };
