/** Links between a parent execution (workflow.execute / executeAsync) and the executions it started. */
import type { Execution, StepRecord } from '../lib/api';
import { shortId } from '../lib/format';
import { Link } from '../lib/router';

function ExecutionLink({ id, fromQuery = '' }: { id: string; fromQuery?: string }) {
  return (
    <Link to={`/executions/${encodeURIComponent(id)}${fromQuery}`} className="mono" title={id}>
      {shortId(id)}
    </Link>
  );
}

/** "Started by <parent> at step <path>", on a child execution. */
export function ParentLinkLine({ exec, fromQuery }: { exec: Execution; fromQuery: string }) {
  if (!exec.parent) return null;
  return (
    <div className="rerun-links" data-testid="parent-link">
      <span>
        Started by <ExecutionLink id={exec.parent.executionId} fromQuery={fromQuery} /> at step <span className="mono">{exec.parent.step}</span>
      </span>
    </div>
  );
}

/** "Child execution <id>", on the step that started it. */
export function ChildLinkLine({ step }: { step: StepRecord }) {
  if (!step.child) return null;
  return (
    <div className="small" data-testid="child-link">
      Child execution <ExecutionLink id={step.child} />
    </div>
  );
}
