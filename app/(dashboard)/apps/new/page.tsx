import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { NewAppForm } from "./_components/new-app-form";

export const metadata: Metadata = { title: "New app" };

export default async function NewAppPage({ searchParams }: { searchParams: Promise<{ team?: string | string[] }> }) {
  const { team } = await searchParams;
  return (
    <div className="mx-auto max-w-xl">
      <PageHeader title="Create a new app" description="An app is where your code's releases, config vars and dynos live." />
      <NewAppForm defaultTeam={typeof team === "string" ? team : null} />
    </div>
  );
}
