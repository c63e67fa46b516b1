import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Connections" what="This page will list connections, channels and consumers, and close a connection." />;
}
