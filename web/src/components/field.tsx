import type { ComponentChildren, InputHTMLAttributes, TargetedEvent } from 'preact';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'password' | 'url' | 'tel' | 'number' | 'date';
  hint?: ComponentChildren;
  placeholder?: string;
  required?: boolean;
  autoComplete?: string;
  inputMode?: 'numeric' | 'tel' | 'url' | 'text';
  disabled?: boolean;
  min?: string;
  name?: string;
}

/** A labelled input with its hint tied to it by `aria-describedby`. */
export function Field({
  label,
  value,
  onInput,
  type = 'text',
  hint,
  placeholder,
  required,
  autoComplete = 'off',
  inputMode,
  disabled,
  min,
  name,
}: FieldProps) {
  const id = useId();
  // Preact types each input `type` separately; one field component serves them all.
  const input = {
    id,
    name,
    type,
    value,
    placeholder,
    required,
    disabled,
    min,
    autoComplete,
    inputMode,
    spellcheck: false,
    'aria-describedby': hint ? `${id}-hint` : undefined,
    onInput: (e: TargetedEvent<HTMLInputElement>) => onInput(e.currentTarget.value),
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input {...input} />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

interface ToggleProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
  disabled?: boolean;
}

/** A checkbox drawn as a switch; it stays a real checkbox for keyboards and screen readers. */
export function Toggle({ label, checked, onChange, hint, disabled }: ToggleProps) {
  const id = useId();
  return (
    <div class="toggle">
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={checked}
        aria-checked={checked}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: Array<{ value: T; label: string }>;
  onChange: (value: T) => void;
  hint?: ComponentChildren;
}

/** A labelled choice among a few fixed values, with its hint tied to it like `Field`'s. */
export function SelectField<T extends string>({ label, value, options, onChange, hint }: SelectFieldProps<T>) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.currentTarget.value as T)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}
