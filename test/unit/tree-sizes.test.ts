import { describe, expect, it } from 'vitest';
import { auditTree, type TreeEntry } from '../../src/domain/tree-sizes.js';

const folder = (id: string, parentId: string, path: string, size: number, etag = `e-${id}`): TreeEntry => ({ id, parentId, path, type: 'folder', size, etag });
const file = (id: string, parentId: string, path: string, size: number, etag = `e-${id}`): TreeEntry => ({ id, parentId, path, type: 'file', size, etag });

describe('auditTree', () => {
  it('finds nothing in a tree that adds up', () => {
    const tree = [folder('a', 's', 'a', 30), folder('b', 'a', 'a/b', 20), file('f1', 'b', 'a/b/x', 20), file('f2', 'a', 'a/y', 10), file('f3', 's', 'z', 5)];
    const audit = auditTree('s', 35, tree);
    expect(audit.folders).toEqual([]);
    expect(audit.root).toEqual({ stored: 35, actual: 35 });
    expect(audit.staleFolders).toEqual([]);
  });

  it('recomputes from the files up, and marks every folder above a wrong one for a new etag', () => {
    const tree = [folder('a', 's', 'a', 30), folder('b', 'a', 'a/b', 99), file('f1', 'b', 'a/b/x', 20), file('f2', 'a', 'a/y', 10), folder('c', 's', 'c', 0), file('f3', 'c', 'c/q', 4, '')];
    const audit = auditTree('s', 100, tree);
    expect(audit.folders).toEqual([
      { id: 'b', path: 'a/b', stored: 99, actual: 20 },
      { id: 'c', path: 'c', stored: 0, actual: 4 },
    ]);
    // a's stored 30 is right: it is the sum of its children's true sizes.
    expect(audit.root).toEqual({ stored: 100, actual: 34 });
    expect(new Set(audit.staleFolders)).toEqual(new Set(['a', 'b', 'c']));
    expect(audit.emptyEtags).toEqual(['f3']);
    expect(audit.actualSizes).toEqual(new Map([['b', 20], ['c', 4]]));
  });
});
