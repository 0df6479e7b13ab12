import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** A modal <dialog>: focus moves into it, Escape closes it, the page behind is inert. */
export function Modal({ title, onClose, children }: { title: string; onClose(): void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);
  return (
    <dialog ref={ref} aria-label={title} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2>{title}</h2>
      {children}
    </dialog>
  );
}

/** Asks for a name (new folder, rename); refuses what no server would take before asking it. */
export function NameDialog({ title, action, initial, taken, onSubmit, onClose }: { title: string; action: string; initial: string; taken: Set<string>; onSubmit(name: string): void; onClose(): void }) {
  const [name, setName] = useState(initial);
  const trimmed = name.trim();
  const problem = !trimmed
    ? 'Enter a name.'
    : trimmed === '.' || trimmed === '..' || trimmed.includes('/')
      ? 'A name cannot be "." or ".." or contain "/".'
      : trimmed !== initial && taken.has(trimmed)
        ? `"${trimmed}" already exists in this folder.`
        : null;
  return (
    <Modal title={title} onClose={onClose}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); if (!problem) onSubmit(trimmed); }}>
        <label>
          Name
          <input type="text" value={name} autoFocus onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-invalid={problem ? 'true' : 'false'} />
        </label>
        {problem && name !== initial && <p class="field-error">{problem}</p>}
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={!!problem}>{action}</button>
        </div>
      </form>
    </Modal>
  );
}

export function ConfirmDialog({ title, message, action, onConfirm, onClose }: { title: string; message: string; action: string; onConfirm(): void; onClose(): void }) {
  return (
    <Modal title={title} onClose={onClose}>
      <p>{message}</p>
      <div class="buttons">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" class="danger" autoFocus onClick={onConfirm}>{action}</button>
      </div>
    </Modal>
  );
}

export type ConflictChoice = 'replace' | 'keep' | 'skip';

/** An upload meets a name that exists: replace it, keep both (a new name), or skip this file. */
export function ConflictDialog({ name, onChoose }: { name: string; onChoose(choice: ConflictChoice, forAll: boolean): void }) {
  const [forAll, setForAll] = useState(false);
  return (
    <Modal title="A file with this name exists" onClose={() => onChoose('skip', forAll)}>
      <p>"{name}" already exists in this folder.</p>
      <label class="inline"><input type="checkbox" checked={forAll} onChange={(e) => setForAll((e.target as HTMLInputElement).checked)} /> Do this for every conflict of this upload</label>
      <div class="buttons">
        <button type="button" onClick={() => onChoose('skip', forAll)}>Skip</button>
        <button type="button" onClick={() => onChoose('keep', forAll)}>Keep both</button>
        <button type="button" class="primary" onClick={() => onChoose('replace', forAll)}>Replace</button>
      </div>
    </Modal>
  );
}

/** "report.pdf" → "report (2).pdf", the first free one, as Nextcloud names a kept copy. */
export function freeName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}
