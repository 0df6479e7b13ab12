/** A file picked or dropped, with its path below the drop target (folders keep their tree). */
export interface Picked {
  file: File;
  path: string[];
}

/** Files from a file input; a folder input gives each file its relative path. */
export function fromInput(list: FileList): Picked[] {
  return Array.from(list).map((file) => ({ file, path: (file.webkitRelativePath || file.name).split('/').filter(Boolean) }));
}

/** Files from a drop, walking dropped folders (the File and Directory Entries API every browser has). */
export async function fromDrop(data: DataTransfer): Promise<Picked[]> {
  const entries = Array.from(data.items)
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return Array.from(data.files).map((file) => ({ file, path: [file.name] }));
  const out: Picked[] = [];
  for (const entry of entries) await walk(entry, [], out);
  return out;
}

async function walk(entry: FileSystemEntry, parent: string[], out: Picked[]): Promise<void> {
  const path = [...parent, entry.name];
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries hands out a batch at a time until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    for (const child of batch) await walk(child, path, out);
  }
}
