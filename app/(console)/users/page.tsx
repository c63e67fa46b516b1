import { UsersView } from './users-view';

export default function UsersPage() {
  return (
    <section>
      <h1>Users</h1>
      <p className="muted">
        Who may connect over AMQP and sign in here. Tags say what a user may do in the console: <strong>administrator</strong> everything, including users,
        vhosts and permissions; <strong>monitoring</strong> sees every vhost but changes nothing; <strong>management</strong> sees and changes the vhosts it has
        a permission on;
        <strong> policymaker</strong> also sets policies there. A user without tags can only use AMQP. Every change is recorded in the audit log.
      </p>
      <UsersView />
    </section>
  );
}
