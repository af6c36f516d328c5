import type { Metadata } from "next";
import { getServerCaller } from "@/app/_server/session";
import { PageHeader } from "@/components/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { NodesCard } from "./_components/nodes-card";

export const metadata: Metadata = { title: "Installation" };

// The machines every app runs on. Installation admins only (the tRPC doors refuse anyone
// else anyway: nodes:list / nodes:update in server/auth/permissions.ts).
export default async function InstallationPage() {
  const me = await (await getServerCaller()).account.me();
  if (!me.isAdmin) {
    return (
      <>
        <PageHeader title="Installation" />
        <EmptyState title="Only the installation's admins can see this page">It lists the machines every app runs on. Ask whoever installed Slipway.</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Installation" description="The machines every app's dynos run on." />
      <NodesCard />
    </>
  );
}
