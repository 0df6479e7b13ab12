import { useState } from 'preact/hooks';

/** Binary units, as the app shows sizes (humanSize). */
const UNITS = [
  { label: 'MB', bytes: 1024 ** 2 },
  { label: 'GB', bytes: 1024 ** 3 },
  { label: 'TB', bytes: 1024 ** 4 },
] as const;

/** A quota as the inputs show it: unlimited (total 0 on the wire), or an amount in the largest unit that divides it. */
function split(total: number): { unlimited: boolean; amount: string; unit: number } {
  if (!total) return { unlimited: true, amount: '10', unit: 1 };
  for (let i = UNITS.length - 1; i >= 0; i--) {
    const v = total / UNITS[i]!.bytes;
    if (v >= 1 && Number.isInteger(Math.round(v * 100) / 100)) return { unlimited: false, amount: String(Math.round(v * 100) / 100), unit: i };
  }
  return { unlimited: false, amount: String(Math.round((total / UNITS[0].bytes) * 100) / 100), unit: 0 };
}

/** A number with a unit, or Unlimited: the quota of a space. onChange gets bytes (0 unlimited), or null while the amount is no number. */
export function QuotaField({ initial, onChange }: { initial: number; onChange(bytes: number | null): void }) {
  const [state, setState] = useState(() => split(initial));
  const update = (next: typeof state) => {
    setState(next);
    const n = Number(next.amount.replace(',', '.'));
    onChange(next.unlimited ? 0 : Number.isFinite(n) && n > 0 ? Math.round(n * UNITS[next.unit]!.bytes) : null);
  };
  return (
    <fieldset class="quota-field">
      <legend>Quota</legend>
      <label class="inline">
        <input type="checkbox" checked={state.unlimited} onChange={(e) => update({ ...state, unlimited: (e.target as HTMLInputElement).checked })} /> Unlimited
      </label>
      {!state.unlimited && (
        <div class="quota-amount">
          <input type="number" min="0.01" step="any" inputMode="decimal" aria-label="Quota amount" value={state.amount} onInput={(e) => update({ ...state, amount: (e.target as HTMLInputElement).value })} />
          <select aria-label="Quota unit" value={String(state.unit)} onChange={(e) => update({ ...state, unit: Number((e.target as HTMLSelectElement).value) })}>
            {UNITS.map((u, i) => <option key={u.label} value={String(i)}>{u.label}</option>)}
          </select>
        </div>
      )}
    </fieldset>
  );
}
