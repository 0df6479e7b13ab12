import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface LedgerEntry {
  size: number;
  sha256: string;
}

const LINE = /^([0-9a-f]{32}) (\d+) ([0-9a-f]{64})$/;

/**
 * What a migration has copied and verified, one line per blob
 * (`<id> <size> <sha256>`), appended as each is done: a later run (after a
 * kill, or the final pass) skips those still there at that size. A line
 * the kill cut short does not parse and is ignored. The first line names the
 * target; a ledger of another target is started over.
 */
export class MigrationLedger {
  private constructor(
    private readonly entries: Map<string, LedgerEntry>,
    private readonly handle: FileHandle,
  ) {}

  static async open(file: string, target: string): Promise<MigrationLedger> {
    const header = `# target ${target}`;
    const text = await readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n');
    const entries = new Map<string, LedgerEntry>();
    if (lines[0] === header) {
      for (const line of lines.slice(1)) {
        const m = LINE.exec(line);
        if (m) entries.set(m[1]!, { size: Number(m[2]), sha256: m[3]! });
      }
    } else {
      await rm(file, { force: true });
    }
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(file, 'a');
    // A cut-short last line gets its own line ended, so the next entry is not glued to it.
    if (lines[0] !== header) await handle.write(`${header}\n`);
    else if (text && !text.endsWith('\n')) await handle.write('\n');
    return new MigrationLedger(entries, handle);
  }

  get(id: string): LedgerEntry | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.entries.size;
  }

  ids(): IterableIterator<string> {
    return this.entries.keys();
  }

  async record(id: string, entry: LedgerEntry): Promise<void> {
    this.entries.set(id, entry);
    await this.handle.write(`${id} ${entry.size} ${entry.sha256}\n`);
  }

  /** Forgets a blob (its copy was found corrupted, or removed): a later line for it wins, and a removal has none. */
  forget(id: string): void {
    this.entries.delete(id);
  }

  async close(): Promise<void> {
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}
