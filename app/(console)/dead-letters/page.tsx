import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Dead letters" what="This page will show dead-lettered messages with their reason, and requeue or delete them." />;
}
