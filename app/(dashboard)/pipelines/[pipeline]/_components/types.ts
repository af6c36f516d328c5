import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;
export type Overview = Outputs["pipelines"]["get"];
export type StageApp = Overview["stages"]["staging"][number];
export type StageDiff = Overview["diffs"][number];
export type ReviewApp = Overview["reviewApps"][number];
export type Promotion = Overview["promotions"][number];

export const STAGE_LABELS = { review: "Review apps", development: "Development", staging: "Staging", production: "Production" } as const;
export const NEXT_STAGE = { development: "staging", staging: "production" } as const;
