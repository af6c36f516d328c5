import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { getIdentity } from "@/app/_server/session";
import { Wordmark } from "@/components/shell/wordmark";

export default async function AuthLayout({ children }: { children: ReactNode }) {
  if (await getIdentity()) redirect("/apps");
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <Link href="/login" className="mb-8 rounded-md focus-visible:outline-2 focus-visible:outline-ring" aria-label="Slipway">
        <Wordmark className="text-xl" />
      </Link>
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}
