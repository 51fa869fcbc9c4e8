interface Props {
  phrase: string;
  value: string;
  onInput: (v: string) => void;
  id: string;
}

/** "Type <phrase> to confirm": the button it guards stays disabled until the words match exactly. */
export function TypedConfirm({ phrase, value, onInput, id }: Props) {
  return (
    <div class="field">
      <label for={id}>
        Type <code>{phrase}</code> to confirm
      </label>
      <input id={id} autocomplete="off" spellcheck={false} value={value} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
    </div>
  );
}

export const phraseMatches = (phrase: string, typed: string) => typed.trim() === phrase;
