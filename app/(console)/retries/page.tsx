import { RetryPipelines } from './retry-pipelines';

export default function Page() {
  return (
    <section>
      <h1>Retries</h1>
      <p className="muted">
        Each queue with retry tiers, stage by stage: a failed message waits in the next tier, returns to the queue when due, and after the last tier goes to the
        dead-letter queue. Counts refresh every second.
      </p>
      <RetryPipelines />
    </section>
  );
}
