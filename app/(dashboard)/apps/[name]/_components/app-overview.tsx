"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { CodeLine } from "@/components/ui/code-block";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { ReleaseList } from "./release-list";

export function AppOverview({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const app = useQuery(trpc.apps.get.queryOptions({ app: appName }));
  const latest = useQuery(trpc.releases.list.queryOptions({ app: appName, limit: 5 }));
  const hasCode = latest.data?.some((r) => r.imageTag) ?? true;

  if (app.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading app" rows={4} />
      </Card>
    );
  }
  if (app.isError) return <FieldError message={`Couldn't load ${appName}: ${messageOf(app.error)}`} />;

  const { data } = app;
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-3">
      <div className="space-y-6 lg:col-span-2">
        <Card aria-labelledby="deploy-title">
          <CardHeader
            titleId="deploy-title"
            title={hasCode ? "Deploy with Git" : "Deploy your code"}
            description={
              hasCode
                ? "Push to this app's git remote to build and release a new version."
                : "This app has no code yet. From your project's git repository, add Slipway as a remote and push."
            }
          />
          <CardContent className="space-y-3">
            <CodeLine value={`git remote add slipway ${data.gitUrl}`} label="git remote add command" prompt />
            <CodeLine value="git push slipway main" label="git push command" prompt />
            <p className="text-sm text-muted">
              Slipway builds what you push with a buildpack (or your Dockerfile) and makes a new release. No git remote?{" "}
              <Link href={`/apps/${appName}/deploy`} className="font-medium text-link hover:underline">
                Upload your source on the Deploy tab
              </Link>
              .
            </p>
          </CardContent>
        </Card>
        <ReleaseList appName={appName} limit={5} isCompact />
      </div>
      <div className="space-y-6">
        <Card aria-labelledby="config-title">
          <CardHeader
            titleId="config-title"
            title="Config vars"
            actions={
              <Link href={`/apps/${appName}/settings#config-vars`} className="text-sm font-medium text-link hover:underline">
                Manage
              </Link>
            }
          />
          <CardContent>
            <p className="text-3xl font-semibold text-fg tabular-nums">{data.configVarCount}</p>
            <p className="text-sm text-muted">{data.configVarCount === 1 ? "variable set" : "variables set"}</p>
          </CardContent>
        </Card>
        <Card aria-labelledby="info-title">
          <CardHeader titleId="info-title" title="App info" />
          <CardContent>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
              <dt className="text-muted">Owner</dt>
              <dd className="truncate text-fg">{data.team ? `${data.team.name} (team)` : (data.owner?.email ?? "—")}</dd>
              <dt className="text-muted">Region</dt>
              <dd className="text-fg">{data.region}</dd>
              <dt className="text-muted">Stack</dt>
              <dd className="text-fg">{data.stack}</dd>
              <dt className="text-muted">Releases</dt>
              <dd className="text-fg">
                {data.latestRelease ? (
                  <>
                    v{data.latestRelease.version} · <RelativeTime date={data.latestRelease.createdAt} />
                  </>
                ) : (
                  "None"
                )}
              </dd>
              <dt className="text-muted">Created</dt>
              <dd className="text-fg">
                <RelativeTime date={data.createdAt} />
              </dd>
            </dl>
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
