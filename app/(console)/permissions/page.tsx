import { PermissionsView } from './permissions-view';

export default function PermissionsPage() {
  return (
    <section>
      <h1>Permissions</h1>
      <p className="muted">
        Per user and vhost, three regular expressions over queue and exchange names, as in RabbitMQ: <strong>configure</strong> (declare, delete),{' '}
        <strong>write</strong> (publish to, bind to) and <strong>read</strong> (consume, get, purge, bind from). <code>.*</code> matches every name, an empty
        pattern none; the default exchange is named <code>amq.default</code> here. A user without a permission on a vhost cannot open it. Changes apply to the
        next operation.
      </p>
      <PermissionsView />
    </section>
  );
}
