import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type AccessDetails = inferRouterOutputs<AppRouter>["access"]["list"];
export type AccessEntry = AccessDetails["entries"][number];
