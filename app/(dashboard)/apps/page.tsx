import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { AppList } from "@/components/app-list";
import { IncomingTransfers } from "@/components/incoming-transfers";
import { PageHeader } from "@/components/page-header";
import { buttonClasses } from "@/components/ui/button";
import { PlusIcon } from "@/components/ui/icons";

export const metadata: Metadata = { title: "Apps" };

export default function AppsPage() {
  return (
    <>
      <PageHeader
        title="Personal apps"
        description="Apps you own or collaborate on."
        actions={
          <Link href="/apps/new" className={buttonClasses()}>
            <PlusIcon />
            New app
          </Link>
        }
      />
      <IncomingTransfers />
      <Suspense>
        <AppList />
      </Suspense>
    </>
  );
}
