import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>;
export type FormationEntry = Outputs["formation"]["list"][number];
export type Dyno = Outputs["dynos"]["list"][number];
export type DynoSize = Outputs["formation"]["sizes"][number];
