import "server-only";
import { createCallerFactory, router } from "@/server/trpc/procedures";
import { accessRouter } from "@/server/trpc/routers/access";
import { accountRouter } from "@/server/trpc/routers/account";
import { activityRouter } from "@/server/trpc/routers/activity";
import { addonsRouter } from "@/server/trpc/routers/addons";
import { appsRouter } from "@/server/trpc/routers/apps";
import { appSetupsRouter } from "@/server/trpc/routers/app-setups";
import { authRouter } from "@/server/trpc/routers/auth";
import { buildpacksRouter } from "@/server/trpc/routers/buildpacks";
import { buildsRouter } from "@/server/trpc/routers/builds";
import { configRouter } from "@/server/trpc/routers/config";
import { domainsRouter } from "@/server/trpc/routers/domains";
import { certsRouter } from "@/server/trpc/routers/certs";
import { dynosRouter, formationRouter } from "@/server/trpc/routers/formation";
import { installationRouter } from "@/server/trpc/routers/installation";
import { logsRouter } from "@/server/trpc/routers/logs";
import { metricsRouter } from "@/server/trpc/routers/metrics";
import { pipelinesRouter } from "@/server/trpc/routers/pipelines";
import { quotasRouter } from "@/server/trpc/routers/quotas";
import { releasesRouter } from "@/server/trpc/routers/releases";
import { teamsRouter } from "@/server/trpc/routers/teams";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  teams: teamsRouter,
  apps: appsRouter,
  appSetups: appSetupsRouter,
  config: configRouter,
  releases: releasesRouter,
  builds: buildsRouter,
  buildpacks: buildpacksRouter,
  domains: domainsRouter,
  certs: certsRouter,
  formation: formationRouter,
  dynos: dynosRouter,
  logs: logsRouter,
  metrics: metricsRouter,
  addons: addonsRouter,
  access: accessRouter,
  activity: activityRouter,
  quotas: quotasRouter,
  pipelines: pipelinesRouter,
  installation: installationRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
