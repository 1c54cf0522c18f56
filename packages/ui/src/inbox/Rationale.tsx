import { useId, useState } from 'react';
import './history.css';

/** An AI step's rationale on one line, the whole text on hover and, where `expandable`, on a click. */
export function Rationale({ text, category, expandable }: { text: string; category?: string | null; expandable?: boolean }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <span className={`rationale${open ? ' rationale-open' : ''}`} data-testid="rationale">
      <span className="rationale-k">AI{category ? ` (${category})` : ''}:</span>{' '}
      <span className="rationale-text" id={id} title={text}>
        {text}
      </span>
      {expandable ? (
        <button type="button" className="rationale-more" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
          {open ? 'less' : 'more'}
        </button>
      ) : null}
    </span>
  );
}
