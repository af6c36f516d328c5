import type { Metadata } from "next";
import { AuditTrail } from "@/components/audit/audit-trail";
import { ReleaseList } from "../_components/release-list";
import { ActivityViews } from "./_components/activity-views";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<{ view?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Activity · ${decodeURIComponent((await params).name)}` };
}

export default async function AppActivityPage({ params, searchParams }: Props) {
  const appName = decodeURIComponent((await params).name);
  const view = (await searchParams).view === "audit" ? "audit" : "releases";
  return (
    <div className="space-y-4">
      <ActivityViews appName={appName} view={view} />
      {view === "audit" ? <AuditTrail scope={{ app: appName }} /> : <ReleaseList appName={appName} />}
    </div>
  );
}
