"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { useToast } from "@/components/ui/toast";
import { PERMISSION_HELP, PERMISSIONS, normalizePermissions, type Permission } from "@/server/auth/permissions";
import { ADMIN_ONLY } from "./roles";

/** What members get on the team's apps without a grant of their own; `view` is always on. */
export function DefaultPermissionsCard({ team, initial, isAdmin }: { team: string; initial: string[]; isAdmin: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const [saved, setSaved] = useState<Permission[]>(normalizePermissions(initial));
  const [chosen, setChosen] = useState<Permission[]>(saved);
  const save = useMutation(
    trpc.teams.settings.setDefaultPermissions.mutationOptions({
      onSuccess: (t) => {
        const next = normalizePermissions(t.defaultPermissions);
        setSaved(next);
        setChosen(next);
        toast.success("Saved the default permissions");
        router.refresh();
      },
    }),
  );
  const isDirty = saved.join() !== chosen.join();
  const toggle = (p: Permission, on: boolean) => setChosen(normalizePermissions(on ? [...chosen, p] : chosen.filter((x) => x !== p)));

  return (
    <Card aria-labelledby="defaults-title">
      <CardHeader
        titleId="defaults-title"
        title="Default permissions"
        description="What members get on every app of the team that is not locked. Admins have every permission; viewers only view; per-app grants add to this."
      />
      <CardContent>
        <fieldset className="grid gap-3 sm:grid-cols-2" disabled={!isAdmin || save.isPending} title={isAdmin ? undefined : ADMIN_ONLY}>
          <legend className="sr-only">Default member permissions</legend>
          {PERMISSIONS.map((p) => (
            <label key={p} className="flex items-start gap-2.5 rounded-md border border-border p-3 text-sm has-disabled:opacity-70">
              <input
                type="checkbox"
                className="mt-0.5 size-4 accent-[var(--color-primary)]"
                checked={chosen.includes(p)}
                disabled={p === "view"}
                title={p === "view" ? "Every permission includes view." : undefined}
                onChange={(e) => toggle(p, e.target.checked)}
              />
              <span>
                <span className="font-medium text-fg">{p}</span>
                <span className="block text-muted">{PERMISSION_HELP[p]}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <FieldError message={save.error ? messageOf(save.error) : null} className="mt-3" />
      </CardContent>
      {isAdmin ? (
        <CardFooter>
          <Button variant="ghost" disabled={!isDirty || save.isPending} onClick={() => setChosen(saved)}>
            Reset
          </Button>
          <Button isPending={save.isPending} disabled={!isDirty} onClick={() => save.mutate({ team, permissions: chosen })}>
            Save permissions
          </Button>
        </CardFooter>
      ) : (
        <CardFooter className="justify-start">
          <p className="text-sm text-muted">{ADMIN_ONLY}</p>
        </CardFooter>
      )}
    </Card>
  );
}
