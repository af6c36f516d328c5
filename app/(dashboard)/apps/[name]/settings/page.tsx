import type { Metadata } from "next";
import { AppSettings } from "./_components/app-settings";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Settings · ${decodeURIComponent((await params).name)}` };
}

export default async function AppSettingsPage({ params }: Props) {
  return <AppSettings appName={decodeURIComponent((await params).name)} />;
}
