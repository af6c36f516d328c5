import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { getServerCaller, orNotFound } from "@/app/_server/session";
import { AppList } from "@/components/app-list";
import { PageHeader } from "@/components/page-header";
import { Badge } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { PlusIcon } from "@/components/ui/icons";
import { TeamMembers } from "./_components/team-members";

type Props = { params: Promise<{ team: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeURIComponent((await params).team) };
}

export default async function TeamPage({ params }: Props) {
  const teamName = decodeURIComponent((await params).team);
  const team = await orNotFound((await getServerCaller()).teams.get({ team: teamName }));
  return (
    <>
      <PageHeader
        eyebrow="Team"
        title={
          <span className="inline-flex flex-wrap items-center gap-2">
            {team.name}
            <Badge tone={team.role === "admin" ? "accent" : "neutral"}>{team.role}</Badge>
          </span>
        }
        description="Apps owned by this team."
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
        <TeamMembers team={team.name} isAdmin={team.role === "admin"} />
      </div>
    </>
  );
}
