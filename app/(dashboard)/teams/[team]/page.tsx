import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { getServerCaller, orNotFound } from "@/app/_server/session";
import { AppList } from "@/components/app-list";
import { AuditTrail } from "@/components/audit/audit-trail";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { PlusIcon } from "@/components/ui/icons";
import { DefaultPermissionsCard } from "./_components/default-permissions-card";
import { DeleteTeamCard } from "./_components/delete-team-card";
import { InvitationsCard } from "./_components/invitations-card";
import { TeamMembers } from "./_components/team-members";

type Props = { params: Promise<{ team: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeURIComponent((await params).team) };
}

export default async function TeamPage({ params }: Props) {
  const teamName = decodeURIComponent((await params).team);
  const caller = await getServerCaller();
  const team = await orNotFound(caller.teams.get({ team: teamName }));
  const me = await caller.account.me();
  const isAdmin = team.role === "admin";
  return (
    <>
      <PageHeader
        eyebrow="Team"
        title={
          <span className="inline-flex flex-wrap items-center gap-2">
            {team.name}
            <Badge tone={isAdmin ? "accent" : "neutral"}>{team.role}</Badge>
          </span>
        }
        description="Apps owned by this team, its members and who may do what."
        actions={
          team.role === "viewer" ? (
            <span className={buttonClasses({ variant: "secondary", className: "cursor-not-allowed opacity-60" })} aria-disabled="true" title="Viewers see the team's apps but change nothing: ask a team admin to make you a member.">
              <PlusIcon />
              New app
            </span>
          ) : (
            <Link href={`/apps/new?team=${encodeURIComponent(team.name)}`} className={buttonClasses()}>
              <PlusIcon />
              New app
            </Link>
          )
        }
      />
      <div className="space-y-8">
        <Suspense>
          <AppList team={team.name} />
        </Suspense>
        <TeamMembers team={team.name} isAdmin={isAdmin} myEmail={me.email} />
        {isAdmin && <InvitationsCard team={team.name} />}
        <DefaultPermissionsCard team={team.name} initial={team.defaultPermissions} isAdmin={isAdmin} />
        <AuditTrail scope={{ team: team.name }} />
        <DeleteTeamCard team={team.name} isAdmin={isAdmin} appCount={team.appCount} />
      </div>
    </>
  );
}
