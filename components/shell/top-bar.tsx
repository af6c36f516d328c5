import Link from "next/link";
import { Suspense } from "react";
import { AccountMenu } from "@/components/shell/account-menu";
import { AppSearch } from "@/components/shell/app-search";
import { ContextSwitcher } from "@/components/shell/context-switcher";
import { Wordmark } from "@/components/shell/wordmark";

export function TopBar({ email, name, isAdmin = false }: { email: string; name: string | null; isAdmin?: boolean }) {
  return (
    <header className="sticky top-0 z-30 border-b border-border bg-surface/95 backdrop-blur supports-[backdrop-filter]:bg-surface/85">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-3 gap-y-2 px-4 py-2.5 sm:flex-nowrap sm:px-6">
        <Link href="/apps" className="rounded-md focus-visible:outline-2 focus-visible:outline-ring" aria-label="Slipway: your apps">
          <Wordmark />
        </Link>
        <span className="hidden h-6 w-px bg-border sm:block" aria-hidden="true" />
        <div className="min-w-0 flex-1 sm:flex-none">
          <ContextSwitcher email={email} />
        </div>
        <Link href="/pipelines" className="hidden rounded-md px-2.5 py-1.5 text-sm font-medium text-muted hover:bg-surface-muted hover:text-fg focus-visible:outline-2 focus-visible:outline-ring sm:block">
          Pipelines
        </Link>
        <div className="order-last w-full sm:order-none sm:ml-auto sm:w-72">
          <Suspense>
            <AppSearch />
          </Suspense>
        </div>
        <AccountMenu email={email} name={name} isAdmin={isAdmin} />
      </div>
    </header>
  );
}
