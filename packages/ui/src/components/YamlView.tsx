import { useMemo } from 'react';
import { tokenizeYaml } from '../lib/yaml';

/** YAML with highlighting and line numbers; lines with validation errors are marked. */
export function YamlView({ source, errorLines }: { source: string; errorLines?: Set<number> }) {
  const lines = useMemo(() => tokenizeYaml(source), [source]);
  return (
    <div className="yaml" role="region" aria-label="Workflow YAML" tabIndex={0}>
      <pre>
        <code>
          {lines.map((tokens, i) => (
            <span key={i} className={`yaml-line${errorLines?.has(i + 1) ? ' yaml-error' : ''}`}>
              <span className="yaml-ln" aria-hidden="true">
                {i + 1}
              </span>
              <span className="yaml-text">
                {tokens.map((t, j) => (
                  <span key={j} className={`y-${t.kind}`}>
                    {t.text}
                  </span>
                ))}
                {'\n'}
              </span>
            </span>
          ))}
        </code>
      </pre>
    </div>
  );
}
