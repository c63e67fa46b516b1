import { NotBuilt } from '../../_components/not-built';

export default function Page() {
  return <NotBuilt title="Streams" what="This page will list streams, browse them from an offset or a time, and chart each consumer group's lag." />;
}
