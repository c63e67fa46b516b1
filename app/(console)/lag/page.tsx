import { LagRanking } from './lag-ranking';

export default function Page() {
  return (
    <section>
      <h1>Lag</h1>
      <p className="muted">What is behind the most across the broker, worst first. Refreshes every second.</p>
      <LagRanking />
    </section>
  );
}
