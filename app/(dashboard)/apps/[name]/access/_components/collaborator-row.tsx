"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field-error";
import { TrashIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";
import { normalizePermissions, PERMISSIONS, type Permission } from "@/server/auth/permissions";
import { RemoveAccessDialog } from "./remove-access-dialog";
import type { AccessDetails, AccessEntry } from "./types";

const ROLE_TONE: Record<AccessEntry["role"], BadgeTone> = { owner: "accent", admin: "accent", member: "neutral", viewer: "neutral", collaborator: "success" };

/** Why this box cannot be changed, or null when it can. */
function lockedReason(p: Permission, entry: AccessEntry, access: AccessDetails, manageReason: string | null): string | null {
  if (p === "view") return "Every permission includes view.";
  if (entry.role === "owner") return "The owner has every permission.";
  if (entry.role === "admin") return "Team admins have every permission on the team's apps.";
  if (manageReason) return manageReason;
  if (entry.role === "viewer") return "Viewers cannot be granted more than view.";
  if (!access.app.isTeamApp && p === "manage") return "Collaborators on personal apps cannot manage it; transfer the app instead.";
  const fromDefaults = entry.role === "member" && !access.app.locked && access.teamDefaults?.includes(p) && !entry.grant?.includes(p);
  if (fromDefaults) return "From the team's default permissions: change those on the team page, or lock the app.";
  return null;
}

export function CollaboratorRow({ entry, access, manageReason }: { entry: AccessEntry; access: AccessDetails; manageReason: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const [isConfirming, setIsConfirming] = useState(false);
  const appName = access.app.name;
  const isSelf = entry.userId === access.viewer.userId;
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.access.list.queryKey({ app: appName }) });
  const update = useMutation(trpc.access.update.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(
    trpc.access.remove.mutationOptions({
      onSuccess: async () => {
        setIsConfirming(false);
        toast.success(`Removed ${entry.email}`, `They no longer have access to ${appName}.`);
        await refresh();
      },
    }),
  );
  const leave = useMutation(
    trpc.access.leave.mutationOptions({
      onSuccess: () => {
        toast.success(`You left ${appName}`);
        router.push("/apps");
      },
    }),
  );

  function toggle(p: Permission, checked: boolean) {
    const grant = new Set<string>(entry.grant ?? []);
    if (checked) grant.add(p);
    else grant.delete(p);
    update.mutate({ app: appName, user: entry.email, permissions: normalizePermissions([...grant]) });
  }

  const canRemove = !!entry.grant && entry.role !== "owner" && entry.role !== "admin" && !manageReason;
  const pendingPermissions = update.isPending ? update.variables?.permissions : null;

  return (
    <li aria-label={entry.email} className="px-4 py-3 sm:px-5">
      <div className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-2 md:grid-cols-[minmax(0,1fr)_auto_6.5rem]">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <span className="text-sm font-medium break-all text-fg">{entry.email}</span>
          <Badge tone={ROLE_TONE[entry.role]}>{entry.role}</Badge>
          {isSelf && <span className="text-xs text-muted">(you)</span>}
        </div>
        <fieldset className="col-span-2 row-start-2 flex flex-wrap gap-x-4 gap-y-1 md:col-span-1 md:col-start-2 md:row-start-1">
          <legend className="sr-only">Permissions of {entry.email}</legend>
          {PERMISSIONS.map((p) => {
            const reason = lockedReason(p, entry, access, manageReason);
            // While saving, show where the box is going: the new grant, plus what the grant did not give.
            const held = entry.permissions.includes(p);
            const checked = pendingPermissions ? pendingPermissions.includes(p) || (held && !entry.grant?.includes(p)) : held;
            return (
              <label key={p} title={reason ?? undefined} className="inline-flex items-center gap-1.5 text-sm text-fg has-disabled:text-muted">
                <input
                  type="checkbox"
                  className="size-4 accent-[var(--color-primary)] disabled:cursor-not-allowed"
                  checked={checked}
                  disabled={!!reason || update.isPending}
                  aria-label={`${p} for ${entry.email}`}
                  onChange={(e) => toggle(p, e.target.checked)}
                />
                {p}
              </label>
            );
          })}
        </fieldset>
        <div className="col-start-2 row-start-1 flex justify-end md:col-start-3">
          {isSelf && entry.grant && entry.role !== "owner" ? (
            <Button variant="ghost" size="sm" isPending={leave.isPending} onClick={() => leave.mutate({ app: appName })}>
              Leave
            </Button>
          ) : canRemove ? (
            <Button variant="ghost" size="sm" aria-label={`Remove ${entry.email}`} className="hover:text-danger" onClick={() => setIsConfirming(true)}>
              <TrashIcon />
              <span className="hidden sm:inline">Remove</span>
            </Button>
          ) : null}
        </div>
      </div>
      <FieldError message={update.error ? `Couldn't change ${entry.email}'s permissions: ${messageOf(update.error)}` : leave.error ? messageOf(leave.error) : null} />
      <RemoveAccessDialog
        open={isConfirming}
        onOpenChange={(open) => {
          if (remove.isPending) return;
          setIsConfirming(open);
          if (!open) remove.reset();
        }}
        email={entry.email}
        appName={appName}
        isPending={remove.isPending}
        error={remove.error ? messageOf(remove.error) : null}
        onConfirm={() => remove.mutate({ app: appName, user: entry.email })}
      />
    </li>
  );
}
