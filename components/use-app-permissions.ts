"use client";

import { useQuery } from "@tanstack/react-query";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import type { Operation } from "@/server/auth/permissions";

/**
 * What the signed-in user may do on an app, for hiding or disabling controls: `denied(op)`
 * is the reason to show on hover, or null. Until the app has loaded nothing is denied
 * (the server refuses anyway).
 */
export function useAppPermissions(appName: string) {
  const trpc = useTRPC();
  const app = useQuery(trpc.apps.get.queryOptions({ app: appName }));
  const permissions = app.data?.permissions;
  return { permissions, denied: (operation: Operation) => deniedReason(permissions, operation) };
}
