import { Field } from '../components/field';

interface Limits {
  maxSessions: string;
  maxMessages: string;
}

/** A subscription's two limits, as typed (strings): the same fields when a user is created and when a plan changes. */
export function PlanLimitFields({ limits, onChange }: { limits: Limits; onChange: (patch: Partial<Limits>) => void }) {
  return (
    <>
      <Field
        label="Sessions allowed"
        type="number"
        min="0"
        inputMode="numeric"
        value={limits.maxSessions}
        onInput={(maxSessions) => onChange({ maxSessions })}
        required
      />
      <Field
        label="Messages per period"
        type="number"
        min="0"
        inputMode="numeric"
        value={limits.maxMessages}
        onInput={(maxMessages) => onChange({ maxMessages })}
        required
        hint="0 means unlimited."
      />
    </>
  );
}
