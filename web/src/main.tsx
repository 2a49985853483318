import { render } from 'preact';
import { App } from './app';
import { ErrorBoundary } from './components/error-boundary';
import './styles/base.css';
import './styles/layout.css';
import './styles/widgets.css';

render(
  <ErrorBoundary>
    <App />
  </ErrorBoundary>,
  document.getElementById('root')!,
);
