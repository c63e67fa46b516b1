import { StreamList } from './stream-list';

export default function Page() {
  return (
    <section>
      <h1>Streams</h1>
      <StreamList />
    </section>
  );
}
