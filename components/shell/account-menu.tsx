"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { LayersIcon, LogOutIcon, SettingsIcon } from "@/components/ui/icons";

export function AccountMenu({ email, name, isAdmin = false }: { email: string; name: string | null; isAdmin?: boolean }) {
  const initial = (name || email).trim().charAt(0).toUpperCase();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        aria-label="Account menu"
        className="flex size-9 shrink-0 items-center justify-center rounded-full bg-accent-soft text-sm font-semibold text-link hover:ring-2 hover:ring-border-strong focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
      >
        {initial}
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64">
        <DropdownMenuLabel className="pb-2">
          <span className="block text-xs text-muted">Signed in as</span>
          {name && <span className="block truncate text-sm font-medium text-fg">{name}</span>}
          <span className="block truncate text-sm font-normal text-fg">{email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        {/* On narrow screens the top bar has no room for its Pipelines link. */}
        <DropdownMenuItem asChild className="sm:hidden">
          <Link href="/pipelines">
            <LayersIcon />
            Pipelines
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem asChild>
          <Link href="/account">
            <SettingsIcon />
            Account settings
          </Link>
        </DropdownMenuItem>
        {isAdmin && (
          <DropdownMenuItem asChild>
            <Link href="/installation">
              <LayersIcon />
              Installation
            </Link>
          </DropdownMenuItem>
        )}
        <DropdownMenuItem onSelect={() => void signOut({ callbackUrl: "/login" })}>
          <LogOutIcon />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
