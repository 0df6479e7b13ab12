import { describe, expect, it } from 'vitest';
import { fileSubject, fileSubjectParams, renderSubject, type RenderNames } from '../../src/domain/activity.js';

const names: RenderNames = { user: (id) => ({ alice: 'Alice' })[id] ?? id, group: (id) => `Group ${id}` };

describe('activity subjects (Nextcloud files and files_sharing wording)', () => {
  it('renders file subjects for the author and for the others', () => {
    const self = renderSubject(fileSubject('created', true), fileSubjectParams('created', 'alice', true, { id: 7, path: '/a/b.txt' }), names);
    expect(self).toEqual({ subject: 'You created a/b.txt', rich: ['You created {file}', { file: { type: 'file', id: '7', name: 'b.txt', path: 'a/b.txt' } }] });
    const other = renderSubject(fileSubject('renamed', false), fileSubjectParams('renamed', 'alice', false, { id: 7, path: '/c.txt' }, '/b.txt'), names);
    expect(other.subject).toBe('Alice renamed b.txt to c.txt');
    expect(other.rich[0]).toBe('{user} renamed {oldfile} to {newfile}');
    expect(other.rich[1].user).toEqual({ type: 'user', id: 'alice', name: 'Alice' });
  });

  it('renders sharing subjects from typed parameters, groups as user-group', () => {
    const params = { file: { type: 'file', id: 3, path: '/doc.md' }, group: { type: 'group', id: 'devs' } };
    expect(renderSubject('shared_group_self', params, names)).toEqual({
      subject: 'You shared doc.md with group Group devs',
      rich: ['You shared {file} with group {group}', { file: { type: 'file', id: '3', name: 'doc.md', path: 'doc.md' }, group: { type: 'user-group', id: 'devs', name: 'Group devs' } }],
    });
    expect(renderSubject('shared_with_by', { file: { type: 'file', id: 3, path: '/doc.md' }, actor: { type: 'user', id: 'alice' } }, names).subject).toBe('Alice shared doc.md with you');
  });

  it('leaves unknown subjects and missing parameters readable', () => {
    expect(renderSubject('something_new', {}, names)).toEqual({ subject: 'something_new', rich: ['something_new', {}] });
    expect(renderSubject('created_self', { file: 'not a parameter' }, names).subject).toBe('You created {file}');
  });
});
