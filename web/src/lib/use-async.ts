import { useCallback, useState } from 'preact/hooks';

export interface Outcome {
  kind: 'error' | 'success' | 'info';
  text: string;
}

/**
 * Runs one person-started action at a time and keeps what to tell them: the thrown error's plain
 * message, or the success text the action returns.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setOutcome(null);
    try {
      const text = await action();
      // An action that resolves with a sentence has it shown as its success message.
      if (typeof text === 'string' && text) setOutcome({ kind: 'success', text });
      return true;
    } catch (error) {
      setOutcome({ kind: 'error', text: error instanceof Error ? error.message : 'Something went wrong.' });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, outcome, setOutcome, run };
}
