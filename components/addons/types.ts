import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;
export type Addon = Outputs["addons"]["list"][number];
export type AddonService = Outputs["addons"]["services"][number];
export type AddonPlan = AddonService["plans"][number];
export type AddonStatus = Outputs["addons"]["status"];
export type AddonBackup = Outputs["addons"]["backups"]["list"][number];
