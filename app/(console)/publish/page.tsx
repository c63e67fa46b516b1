import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Publish" what="This page will publish a message by hand to any exchange with properties and headers." />;
}
