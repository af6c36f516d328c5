import Link from "next/link";
import type { ReactNode } from "react";
import { Wordmark } from "@/components/shell/wordmark";

// The invitation page looks like sign-in and sign-up but is not under (auth): that layout
// sends signed-in people to /apps, and a signed-in invitee must see "Join" here.
export default function InviteLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <Link href="/apps" className="mb-8 rounded-md focus-visible:outline-2 focus-visible:outline-ring" aria-label="Slipway">
        <Wordmark className="text-xl" />
      </Link>
      <div className="w-full max-w-sm">{children}</div>
    </main>
  );
}
