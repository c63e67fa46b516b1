import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeTarget, redactUrl, resolveDbTarget } from '../../server/store/db/database-url';

describe('resolveDbTarget', () => {
  it('uses warren.db in the data directory when DATABASE_URL is unset or empty', () => {
    for (const url of [undefined, '', '  ']) {
      expect(resolveDbTarget(url, 'data')).toEqual({
        provider: 'sqlite',
        file: resolve('data', 'warren.db'),
        url: `file:${resolve('data', 'warren.db')}`,
      });
    }
  });

  it('takes a file: URL as a SQLite file, relative to the working directory', () => {
    expect(resolveDbTarget('file:./meta/w.db', '/ignored')).toMatchObject({ provider: 'sqlite', file: resolve('meta/w.db') });
    expect(resolveDbTarget('file:/var/lib/w.db', '/ignored')).toMatchObject({ file: '/var/lib/w.db' });
    expect(resolveDbTarget('file:///var/lib/w.db', '/ignored')).toMatchObject({ file: '/var/lib/w.db' });
  });

  it('takes postgresql: and postgres: URLs as PostgreSQL', () => {
    for (const url of ['postgresql://u:p@db:5432/warren', 'postgres://u@localhost/warren']) {
      expect(resolveDbTarget(url, 'data')).toEqual({ provider: 'postgresql', url });
    }
  });

  it('refuses other URLs with one line naming DATABASE_URL', () => {
    for (const url of ['mysql://u:secret@h/db', 'warren.db', 'file:', 'file::memory:', 'postgresql://h', 'postgres://']) {
      expect(() => resolveDbTarget(url, 'data')).toThrow(/^DATABASE_URL /);
    }
    expect(() => resolveDbTarget('mysql://u:secret@h/db', 'data')).toThrow(/mysql:\/\/u:\*\*\*@h\/db/);
  });
});

describe('redactUrl and describeTarget', () => {
  it('hide the password', () => {
    expect(redactUrl('postgresql://warren:s3cret@127.0.0.1:5432/w')).toBe('postgresql://warren:***@127.0.0.1:5432/w');
    expect(redactUrl('postgresql://warren@host/w')).toBe('postgresql://warren@host/w');
    expect(describeTarget(resolveDbTarget('postgres://a:b@h/d', '.'))).toBe('PostgreSQL postgres://a:***@h/d');
    expect(describeTarget(resolveDbTarget(undefined, '/srv/warren'))).toBe(`SQLite ${join('/srv/warren', 'warren.db')}`);
  });
});
