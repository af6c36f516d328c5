import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { CodeLine } from "@/components/ui/code-block";
import { formatDateTime } from "@/components/format";
import type { AppDetails } from "./types";

export function AppInfoCard({ app }: { app: AppDetails }) {
  return (
    <Card aria-labelledby="app-info-title">
      <CardHeader titleId="app-info-title" title="App information" />
      <CardContent>
        <dl className="grid gap-x-6 gap-y-4 text-sm sm:grid-cols-[10rem_minmax(0,1fr)]">
          <dt className="font-medium text-muted">App name</dt>
          <dd className="-mt-3 text-fg sm:mt-0">{app.name}</dd>
          <dt className="font-medium text-muted">Owner</dt>
          <dd className="-mt-3 text-fg sm:mt-0">{app.team ? `${app.team.name} (team)` : (app.owner?.email ?? "—")}</dd>
          <dt className="font-medium text-muted">Region</dt>
          <dd className="-mt-3 text-fg sm:mt-0">{app.region}</dd>
          <dt className="font-medium text-muted">Stack</dt>
          <dd className="-mt-3 text-fg sm:mt-0">{app.stack}</dd>
          <dt className="font-medium text-muted">Created</dt>
          <dd className="-mt-3 text-fg sm:mt-0">{formatDateTime(new Date(app.createdAt))}</dd>
          <dt className="font-medium text-muted sm:pt-2">Git URL</dt>
          <dd className="-mt-3 min-w-0 sm:mt-0">
            <CodeLine value={app.gitUrl} label="git URL" className="max-w-xl" />
          </dd>
        </dl>
      </CardContent>
    </Card>
  );
}
