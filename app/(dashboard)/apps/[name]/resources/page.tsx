import type { Metadata } from "next";
import { AppResources } from "./_components/app-resources";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Resources · ${decodeURIComponent((await params).name)}` };
}

export default async function AppResourcesPage({ params }: Props) {
  return <AppResources appName={decodeURIComponent((await params).name)} />;
}
