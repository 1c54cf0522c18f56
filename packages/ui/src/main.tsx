import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

createRoot(document.getElementById('root')!, {
  // Errors caught by an error boundary are handled there (e.g. a schema the form cannot draw
  // falls back to the JSON editor); they are not console errors.
  onCaughtError: (error) => console.warn('[flowgate] recovered from a render error:', error),
}).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
