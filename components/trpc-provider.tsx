"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { signOut } from "next-auth/react";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/trpc/root";
import { retryingFetch } from "./retrying-fetch";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

function isUnauthorized(error: unknown) {
  return error instanceof TRPCClientError && error.data?.code === "UNAUTHORIZED";
}

// A session that expired (or whose user is gone) shows up as UNAUTHORIZED on any call:
// send the person back to the sign-in page instead of leaving broken screens.
function onAuthError(error: unknown) {
  if (isUnauthorized(error)) void signOut({ callbackUrl: "/login" });
}

function makeQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onAuthError }),
    mutationCache: new MutationCache({ onError: onAuthError }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // Client errors (not found, forbidden, bad input) will not fix themselves.
        retry: (count, error) => {
          const status = error instanceof TRPCClientError ? (error.data?.httpStatus as number | undefined) : undefined;
          return (status === undefined || status >= 500) && count < 2;
        },
      },
    },
  });
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // Subscriptions (dyno state, later logs) are Server-Sent Events; the rest is batched HTTP.
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
          // A mutation that got no answer at all is sent again (see retrying-fetch.ts).
          false: httpBatchLink({ url: "/api/trpc", transformer: superjson, fetch: retryingFetch() }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
