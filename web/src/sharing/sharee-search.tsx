import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { searchSharees, type Sharee } from '../api/shares.js';

export const SEARCH_ID = 'sharing-search';

/**
 * A combobox of people and groups, searched as the person types (after a
 * short pause): arrows move through the results, Enter picks, Escape closes.
 */
export function ShareeSearch({ itemType, exclude, onPick }: { itemType: 'file' | 'folder'; exclude: Set<string>; onPick(s: Sharee): void }) {
  const [text, setText] = useState('');
  const [results, setResults] = useState<Sharee[] | null>(null);
  const [active, setActive] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = useRef<AbortController | null>(null);

  useEffect(() => {
    const search = text.trim();
    latest.current?.abort();
    if (!search) {
      setResults(null);
      return;
    }
    const ctl = new AbortController();
    latest.current = ctl;
    const timer = setTimeout(() => {
      searchSharees(search, itemType, ctl.signal)
        .then((found) => {
          if (ctl.signal.aborted) return;
          setResults(found.filter((s) => !exclude.has(`${s.shareType}:${s.shareWith}`)));
          setActive(0);
          setProblem(null);
        })
        .catch((err: unknown) => {
          if (ctl.signal.aborted) return;
          if (err instanceof SignedOut) return signInAgain();
          setProblem(err instanceof ApiError ? err.message : 'The search failed. Try again.');
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text, itemType]);

  const pick = (s: Sharee | undefined) => {
    if (!s) return;
    onPick(s);
    setText('');
    setResults(null);
  };
  const open = results !== null;
  const onKey = (e: KeyboardEvent) => {
    if (!results) return;
    if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
    else if (e.key === 'Enter') pick(results[active]);
    else if (e.key === 'Escape') setResults(null);
    else return;
    e.preventDefault();
  };

  return (
    <div class="sharee-search">
      <label for={SEARCH_ID}>Share with people or groups</label>
      <input
        id={SEARCH_ID}
        type="search"
        role="combobox"
        autocomplete="off"
        placeholder="Name or group"
        aria-autocomplete="list"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="sharee-results"
        aria-activedescendant={open && results.length ? `sharee-${active}` : undefined}
        value={text}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
        onKeyDown={onKey}
      />
      {open && (
        <ul id="sharee-results" role="listbox" aria-label="People and groups found" class="sharee-results">
          {results.length === 0 && <li class="muted" role="option" aria-disabled="true" aria-selected="false">No one found</li>}
          {results.map((s, i) => (
            <li
              key={`${s.shareType}:${s.shareWith}`}
              id={`sharee-${i}`}
              role="option"
              aria-selected={i === active ? 'true' : 'false'}
              class={i === active ? 'active' : ''}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(s)}
            >
              <span class="sharee-name">{s.label}</span>
              <span class="muted-small">{s.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {problem && <p class="field-error" role="alert">{problem}</p>}
    </div>
  );
}
