import "server-only";
// The add-on services this platform offers. A new service is one provider module added here.
import { postgresProvider } from "@/server/addons/postgres";
import { redisProvider } from "@/server/addons/redis";
import type { AddonPlan, AddonProvider } from "@/server/addons/types";
import { AppError } from "@/server/errors";

export const PROVIDERS: readonly AddonProvider[] = [postgresProvider, redisProvider];

export function providerFor(service: string): AddonProvider {
  const p = PROVIDERS.find((x) => x.info.name === service);
  if (!p) throw new AppError("INTERNAL", `No provider for add-on service ${service}.`);
  return p;
}

export function planOf(provider: AddonProvider, plan: string): AddonPlan {
  const p = provider.info.plans.find((x) => x.name === plan);
  if (!p) throw new AppError("INTERNAL", `Plan ${plan} of ${provider.info.name} no longer exists.`);
  return p;
}

/**
 * "slipway-postgresql:essential-1", "heroku-postgresql" (default plan), or a service and a
 * plan given apart. Unknown names are UNPROCESSABLE with the choices spelled out.
 */
export function resolvePlan(spec: string, planName?: string | null): { provider: AddonProvider; plan: AddonPlan } {
  const [serviceName, inlinePlan] = spec.trim().toLowerCase().split(":", 2) as [string, string | undefined];
  const provider = PROVIDERS.find((p) => p.info.name === serviceName || p.info.aliases.includes(serviceName));
  if (!provider) {
    const names = PROVIDERS.map((p) => p.info.name).join(", ");
    throw new AppError("UNPROCESSABLE", `Couldn't find either the add-on service or the add-on plan of "${spec}". Services: ${names}.`, {
      resource: "addon_service",
      fieldErrors: { service: `Unknown service. Choose ${names}.` },
    });
  }
  const wanted = (inlinePlan || planName || provider.info.defaultPlan).toLowerCase();
  const plan = provider.info.plans.find((p) => p.name === wanted);
  if (!plan) {
    const names = provider.info.plans.map((p) => p.name).join(", ");
    throw new AppError("UNPROCESSABLE", `${provider.info.name} has no plan ${wanted}. Plans: ${names}.`, {
      resource: "plan",
      fieldErrors: { plan: `Unknown plan. Choose ${names}.` },
    });
  }
  return { provider, plan };
}
