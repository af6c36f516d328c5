"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field-error";
import { Select } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { useToast } from "@/components/ui/toast";
import type { TeamRole } from "@/server/auth/permissions";
import { ConfirmAction } from "./confirm-action";
import { ROLE_OPTIONS } from "./roles";

export type MemberView = { id: string; role: string; createdAt: Date; user: { id: string; email: string; name: string | null } };

export function MemberRow({ team, member, isAdmin, isMe, isLastAdmin }: { team: string; member: MemberView; isAdmin: boolean; isMe: boolean; isLastAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const email = member.user.email;
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.teams.members.list.queryKey({ team }) });
  const setRole = useMutation(trpc.teams.members.setRole.mutationOptions({ onSuccess: async (m) => { await refresh(); toast.success(`${m.user.email} is now ${m.role}`); } }));
  const remove = useMutation(trpc.teams.members.remove.mutationOptions({ onSuccess: async () => { await refresh(); toast.success(`Removed ${email} from ${team}`); } }));
  const leave = useMutation(
    trpc.teams.members.leave.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
        toast.success(`You left ${team}`);
        router.push("/apps");
      },
    }),
  );
  const lastAdminReason = isLastAdmin ? "A team needs at least one admin: make someone else an admin first." : undefined;

  return (
    <li className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 sm:px-5" aria-label={email}>
      <div className="min-w-0">
        <p className="truncate text-sm font-medium text-fg">{member.user.name ?? email}</p>
        <p className="truncate text-sm text-muted">
          {member.user.name ? `${email} · ` : ""}
          {isMe ? "you, " : ""}joined <RelativeTime date={member.createdAt} />
        </p>
        <FieldError message={setRole.error ? messageOf(setRole.error) : null} className="mt-1" />
      </div>
      <div className="flex flex-wrap items-center gap-2">
        {isAdmin ? (
          <div className="w-32" title={lastAdminReason}>
            <Select
              aria-label={`Role of ${email}`}
              value={member.role}
              disabled={setRole.isPending || isLastAdmin}
              title={lastAdminReason}
              onChange={(e) => setRole.mutate({ team, email, role: e.target.value as TeamRole })}
            >
              {ROLE_OPTIONS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </Select>
          </div>
        ) : (
          <Badge tone={member.role === "admin" ? "accent" : "neutral"}>{member.role}</Badge>
        )}
        {isMe ? (
          isLastAdmin ? (
            <span title={lastAdminReason}>
              <Button variant="danger-outline" size="sm" disabled aria-label="Leave team (the last admin cannot leave)">
                Leave team
              </Button>
            </span>
          ) : (
            <ConfirmAction
              trigger="Leave team"
              title={`Leave ${team}?`}
              description="You lose access to the team's apps at once. An admin can add you again."
              action="Leave team"
              isPending={leave.isPending}
              error={leave.error}
              onConfirm={() => leave.mutateAsync({ team })}
              onClose={() => leave.reset()}
            />
          )
        ) : (
          isAdmin && (
            <ConfirmAction
              trigger="Remove"
              triggerLabel={`Remove ${email}`}
              title={`Remove ${email}?`}
              description="They lose access to the team and its apps at once, and their per-app permissions on the team's apps are deleted."
              action="Remove member"
              isPending={remove.isPending}
              error={remove.error}
              onConfirm={() => remove.mutateAsync({ team, email })}
              onClose={() => remove.reset()}
            />
          )
        )}
      </div>
    </li>
  );
}
