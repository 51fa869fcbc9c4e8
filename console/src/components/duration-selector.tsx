import { useState } from 'preact/hooks';
import { formatDuration } from '../lib/format.ts';

/** The hub accepts whole hours up to 30 days; "until lifted" sends no duration. */
export const MAX_HOURS = 24 * 30;
const PRESETS = [1, 2, 4, 8, 24, 72] as const;

export type DurationChoice = { valid: true; hours: number | null } | { valid: false; reason: string };

/** Parses the custom field: a whole number of hours in [1, MAX_HOURS]. */
export function parseHours(text: string): DurationChoice {
  const t = text.trim();
  if (t === '') return { valid: false, reason: 'Enter a number of hours' };
  if (!/^\d+$/.test(t)) return { valid: false, reason: 'Whole hours only' };
  const h = Number(t);
  if (h < 1) return { valid: false, reason: 'At least 1 hour' };
  if (h > MAX_HOURS) return { valid: false, reason: `At most ${MAX_HOURS} hours (30 days)` };
  return { valid: true, hours: h };
}

interface Props {
  onChange: (choice: DurationChoice) => void;
  idPrefix?: string;
}

/** Preset durations, a custom number of hours, or until lifted. Starts at 2 hours. */
export function DurationSelector({ onChange, idPrefix = 'dur' }: Props) {
  const [mode, setMode] = useState<string>('2');
  const [custom, setCustom] = useState('');
  const pick = (m: string, text = custom) => {
    setMode(m);
    if (m === 'until-lifted') onChange({ valid: true, hours: null });
    else if (m === 'custom') onChange(parseHours(text));
    else onChange({ valid: true, hours: Number(m) });
  };
  const customChoice = mode === 'custom' ? parseHours(custom) : undefined;
  return (
    <fieldset class="duration" data-testid="duration-selector">
      <legend>For how long</legend>
      {PRESETS.map((h) => (
        <label key={h} class="chip">
          <input type="radio" name={`${idPrefix}-mode`} value={String(h)} checked={mode === String(h)} onChange={() => pick(String(h))} />
          {formatDuration(h * 3_600_000)}
        </label>
      ))}
      <label class="chip">
        <input type="radio" name={`${idPrefix}-mode`} value="custom" checked={mode === 'custom'} onChange={() => pick('custom')} />
        Custom
      </label>
      <label class="chip">
        <input
          type="radio"
          name={`${idPrefix}-mode`}
          value="until-lifted"
          checked={mode === 'until-lifted'}
          onChange={() => pick('until-lifted')}
        />
        Until lifted
      </label>
      {mode === 'custom' && (
        <div class="field">
          <label for={`${idPrefix}-hours`}>Hours</label>
          <input
            id={`${idPrefix}-hours`}
            inputMode="numeric"
            value={custom}
            aria-invalid={customChoice?.valid === false}
            onInput={(e) => {
              const text = (e.target as HTMLInputElement).value;
              setCustom(text);
              pick('custom', text);
            }}
          />
          {customChoice && !customChoice.valid && <span class="field-error">{customChoice.reason}</span>}
        </div>
      )}
    </fieldset>
  );
}
