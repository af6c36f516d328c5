import type { Metadata } from "next";
import { getServerCaller } from "@/app/_server/session";
import { PageHeader } from "@/components/page-header";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { formatDate } from "@/components/format";
import { SESSION_MAX_AGE_SECONDS } from "@/server/auth/options";
import { ApiKeys } from "./_components/api-keys";
import { SessionsCard } from "./_components/sessions-card";

export const metadata: Metadata = { title: "Account settings" };

export default async function AccountPage() {
  const me = await (await getServerCaller()).account.me();
  return (
    <>
      <PageHeader title="Account settings" />
      <div className="space-y-6">
        <Card aria-labelledby="profile-title">
          <CardHeader titleId="profile-title" title="Profile" />
          <CardContent>
            <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[10rem_minmax(0,1fr)] sm:gap-y-3">
              <dt className="font-medium text-muted">Email</dt>
              <dd className="mb-3 break-all text-fg sm:mb-0">{me.email}</dd>
              <dt className="font-medium text-muted">Name</dt>
              <dd className="mb-3 text-fg sm:mb-0">{me.name ?? <span className="text-muted">Not set</span>}</dd>
              <dt className="font-medium text-muted">Member since</dt>
              <dd className="text-fg">{formatDate(me.createdAt)}</dd>
            </dl>
          </CardContent>
        </Card>
        <SessionsCard maxAgeDays={Math.round(SESSION_MAX_AGE_SECONDS / 86_400)} />
        <ApiKeys />
      </div>
    </>
  );
}
