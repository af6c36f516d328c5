import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { NewAppChooser } from "./_components/new-app-chooser";

export const metadata: Metadata = { title: "New app" };

export default async function NewAppPage({ searchParams }: { searchParams: Promise<{ team?: string | string[]; from?: string | string[] }> }) {
  const { team, from } = await searchParams;
  return (
    <div className="mx-auto max-w-xl">
      <PageHeader title="Create a new app" description="An app is where your code's releases, config vars and dynos live. Start empty and push, or set one up from an archive with an app.json." />
      <NewAppChooser defaultTeam={typeof team === "string" ? team : null} defaultMode={from === "app-json" ? "app-json" : "empty"} />
    </div>
  );
}
