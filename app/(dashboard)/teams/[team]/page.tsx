import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { getServerCaller, orNotFound } from "@/app/_server/session";
import { AppList } from "@/components/app-list";
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
  const [me, apps] = await Promise.all([caller.account.me(), caller.apps.list({ team: team.name })]);
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
          <Link href={`/apps/new?team=${encodeURIComponent(team.name)}`} className={buttonClasses()}>
            <PlusIcon />
            New app
          </Link>
        }
      />
      <div className="space-y-8">
        <Suspense>
          <AppList team={team.name} />
        </Suspense>
        <TeamMembers team={team.name} isAdmin={isAdmin} myEmail={me.email} />
        {isAdmin && <InvitationsCard team={team.name} />}
        <DefaultPermissionsCard team={team.name} initial={team.defaultPermissions} isAdmin={isAdmin} />
        {/* The team-wide audit trail (helper "audit") mounts here, between settings and the danger zone. */}
        <DeleteTeamCard team={team.name} isAdmin={isAdmin} appCount={apps.length} />
      </div>
    </>
  );
}
