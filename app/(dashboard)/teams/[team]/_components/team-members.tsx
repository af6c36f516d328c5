"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";
import { AddMemberForm } from "./add-member-form";
import { InviteDialog } from "./invite-dialog";
import { MemberRow } from "./member-row";
import { ADMIN_ONLY } from "./roles";

export function TeamMembers({ team, isAdmin, myEmail }: { team: string; isAdmin: boolean; myEmail: string }) {
  const trpc = useTRPC();
  const members = useQuery(trpc.teams.members.list.queryOptions({ team }));
  const admins = members.data?.filter((m) => m.role === "admin").length ?? 0;

  return (
    <Card aria-labelledby="members-title">
      <CardHeader
        titleId="members-title"
        title="Members"
        description="Admins manage the team; members deploy and run its apps; viewers look."
        actions={isAdmin ? <InviteDialog team={team} /> : <span className="text-sm text-muted" title={ADMIN_ONLY}>Only admins invite people</span>}
      />
      {members.isPending ? (
        <LoadingRows label="Loading members" rows={2} />
      ) : members.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load members: ${messageOf(members.error)}`} />
        </CardContent>
      ) : (
        <ul className="divide-y divide-border" aria-label="Team members">
          {members.data.map((member) => (
            <MemberRow
              key={member.id}
              team={team}
              member={member}
              isAdmin={isAdmin}
              isMe={member.user.email === myEmail}
              isLastAdmin={member.role === "admin" && admins === 1}
            />
          ))}
        </ul>
      )}
      {isAdmin && (
        <CardContent className="border-t border-border">
          <AddMemberForm team={team} />
        </CardContent>
      )}
    </Card>
  );
}
