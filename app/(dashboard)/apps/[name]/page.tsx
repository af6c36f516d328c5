import type { Metadata } from "next";
import { AppOverview } from "./_components/app-overview";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decodeURIComponent((await params).name) };
}

export default async function AppOverviewPage({ params }: Props) {
  return <AppOverview appName={decodeURIComponent((await params).name)} />;
}
