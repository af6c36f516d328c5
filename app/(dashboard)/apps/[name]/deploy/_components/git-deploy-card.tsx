import Link from "next/link";
import type { ReactNode } from "react";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { CodeLine } from "@/components/ui/code-block";
import { GitIcon } from "@/components/ui/icons";

export function GitDeployCard({ gitUrl }: { gitUrl: string }) {
  return (
    <Card aria-labelledby="git-deploy-title">
      <CardHeader
        titleId="git-deploy-title"
        title={
          <span className="flex items-center gap-2">
            <GitIcon className="text-muted" /> Deploy with Git
          </span>
        }
        description="Every push to main builds your code with a buildpack (or your Dockerfile) and releases it."
      />
      <CardContent className="space-y-4">
        <div className="space-y-1.5">
          <p className="text-sm font-medium text-fg">Git URL</p>
          <CodeLine value={gitUrl} label="git URL" />
        </div>
        <ol className="space-y-4">
          <Step n={1} title="In your project's repository, add Slipway as a remote">
            <CodeLine value={`git remote add slipway ${gitUrl}`} label="git remote add command" prompt />
          </Step>
          <Step n={2} title="Push to deploy">
            <CodeLine value="git push slipway main" label="git push command" prompt />
          </Step>
        </ol>
        <p className="rounded-md bg-surface-muted px-3 py-2.5 text-sm text-muted">
          When git asks for credentials, any user name works; the password is an API key from{" "}
          <Link href="/account" className="font-medium text-link hover:underline">
            Account → API keys
          </Link>
          .
        </p>
      </CardContent>
    </Card>
  );
}

function Step({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  return (
    <li className="flex gap-3">
      <span
        aria-hidden="true"
        className="mt-px flex size-5 shrink-0 items-center justify-center rounded-full bg-accent-soft text-xs font-semibold text-link"
      >
        {n}
      </span>
      <div className="min-w-0 flex-1 space-y-1.5">
        <p className="text-sm font-medium text-fg">{title}</p>
        {children}
      </div>
    </li>
  );
}
