import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { getIdentity, getServerCaller } from "@/app/_server/session";
import { TopBar } from "@/components/shell/top-bar";

// Every dashboard page needs a signed-in user whose account still exists.
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  if (!(await getIdentity())) redirect("/login");
  const me = await (await getServerCaller()).account.me();
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-surface px-3 py-2 text-sm font-medium focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <TopBar email={me.email} name={me.name} isAdmin={me.isAdmin} />
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6 lg:py-8">
        {children}
      </main>
    </div>
  );
}
