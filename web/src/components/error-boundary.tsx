import { Component, type ComponentChildren } from 'preact';

/** The last line against a blank page: a bug in a view still leaves words and a way forward. */
export class ErrorBoundary extends Component<{ children: ComponentChildren }, { failed: boolean }> {
  override state = { failed: false };

  override componentDidCatch(error: unknown) {
    console.error(error);
    this.setState({ failed: true });
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main class="page page-narrow">
        <div class="card">
          <h1>Something went wrong on this page</h1>
          <p>Your sessions and settings are not affected. Reload the page to continue.</p>
          <button type="button" class="button button-primary" onClick={() => location.reload()}>
            Reload
          </button>
        </div>
      </main>
    );
  }
}
