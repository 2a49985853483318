import { useState } from 'preact/hooks';
import { Modal } from '../components/modal';

/**
 * A new customer key, shown once: the gateway keeps only its hash, so closing this is final
 * (SPEC: keys are never shown again). Copying uses the clipboard API where the browser allows it.
 */
export function KeyReveal({ userId, apiKey, onClose }: { userId: string; apiKey: string; onClose: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = () =>
    navigator.clipboard.writeText(apiKey).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <Modal title="Copy the API key now" onClose={onClose}>
      <p>
        This is the key of <strong>{userId}</strong>. It is shown <strong>only this once</strong>; if it is lost, rotate it to get a new
        one.
      </p>
      <div class="key-box">
        <code class="key-value" data-testid="new-api-key">
          {apiKey}
        </code>
        <button type="button" class="button button-secondary button-small" onClick={copy}>
          Copy
        </button>
      </div>
      <p class="small" role="status">
        {copied === true
          ? 'Copied to the clipboard.'
          : copied === false
            ? 'Copying is blocked here; select the key and copy it by hand.'
            : ''}
      </p>
      <div class="actions actions-end">
        <button type="button" class="button button-primary" onClick={onClose}>
          I have stored the key
        </button>
      </div>
    </Modal>
  );
}
