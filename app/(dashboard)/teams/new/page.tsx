import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { NewTeamForm } from "./_components/new-team-form";

export const metadata: Metadata = { title: "Create team" };

export default function NewTeamPage() {
  return (
    <div className="mx-auto max-w-xl">
      <PageHeader title="Create a team" description="Teams own apps together. You'll be the team's admin and can add members by email." />
      <NewTeamForm />
    </div>
  );
}
