import type { Metadata } from "next";
import { AccessView } from "./_components/access-view";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Access · ${decodeURIComponent((await params).name)}` };
}

export default async function AppAccessPage({ params }: Props) {
  return <AccessView appName={decodeURIComponent((await params).name)} />;
}
