import { fieldText } from '../../_components/field-value';

/** Each argument that applies to the queue: what it declared, what its policy sets, and which value is in force. */
export function EffectiveArguments({
  declared,
  fromPolicy,
  effective,
}: {
  declared: Record<string, unknown>;
  fromPolicy: Record<string, unknown>;
  effective: Record<string, unknown>;
}) {
  const keys = Object.keys(effective);
  if (keys.length === 0) return <p className="muted">No arguments, and no policy sets any.</p>;
  return (
    <table className="table" aria-label="Arguments">
      <thead>
        <tr>
          <th>Argument</th>
          <th>Declared</th>
          <th>Policy</th>
          <th>In force</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => {
          const policyValue = fromPolicy[k.replace(/^x-/, '')];
          return (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{declared[k] === undefined ? <span className="muted">—</span> : fieldText(declared[k])}</td>
              <td>{policyValue === undefined ? <span className="muted">—</span> : fieldText(policyValue)}</td>
              <td>{fieldText(effective[k])}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
