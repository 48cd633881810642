import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess as run } from '../in-process.test-helper.js';

/** The documents `tail --json` prints for the registrations, by attendee id: their names. */
const namesOf = (stdout: string): Record<string, unknown> =>
  Object.fromEntries(stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; data: { attendeeId: string; name: unknown } })
    .filter((event) => event.type === 'AttendeeRegistered').map((event) => [event.data.attendeeId, event.data.name]));

const directoryName = (file: string, attendeeId: string): unknown => {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare("SELECT body FROM read_model_documents WHERE namespace = 'attendee_directory_v1' AND id = ?").get(`ecc2020.${attendeeId}`) as { body: string };
    return (JSON.parse(row.body) as { name: unknown }).name;
  } finally {
    db.close();
  }
};
const attendanceTotal = (file: string): unknown => {
  const db = new Database(file, { readonly: true });
  try {
    const row = db.prepare("SELECT body FROM read_model_documents WHERE namespace = 'attendance_v1' AND id = 'ecc2020'").get() as { body: string };
    return JSON.parse(row.body) as unknown;
  } finally {
    db.close();
  }
};

describe('personal data through the CLI: seed, forget, replay, rebuild, export and import with and without keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clusterconf-cli-personal-'));
  const file = join(dir, 'ecc2020.sqlite');
  const store = `sqlite:${file}`;
  const forgotten = { forgotten: true, subject: 'attendee-ecc2020.participant-0001' };
  beforeAll(async () => {
    const seeded = await run('seed', 'ecc2020', '--store', store);
    expect(seeded.code, seeded.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds the names sealed, beside their keys in the same file', () => {
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare("SELECT data FROM events WHERE type = 'AttendeeRegistered'").pluck().all() as string[];
      expect(rows.length).toBeGreaterThan(900);
      expect(rows.some((data) => data.includes('Participant '))).toBe(false);
      expect((JSON.parse(rows[0]!) as { name: { sealed: string } }).name.sealed).toBe('A256GCM');
      expect(db.prepare('SELECT count(*) FROM personal_data_keys').pluck().get()).toBe(rows.length);
    } finally {
      db.close();
    }
  });

  it('forgets an attendee: the name reads as forgotten everywhere, the counts stay, and a rebuild agrees', async () => {
    const replay = await run('replay', '--store', store);
    expect(replay.code, replay.stderr).toBe(0);
    expect(directoryName(file, 'participant-0001')).toBe('Participant 0001');
    const counts = attendanceTotal(file);

    const forget = await run('forget', 'attendee-ecc2020.participant-0001', '--store', store, '--json');
    expect(forget.code, forget.stderr).toBe(0);
    expect(JSON.parse(forget.stdout)).toMatchObject({ subject: 'attendee-ecc2020.participant-0001', keyDeleted: true, alreadyForgotten: false });
    const again = await run('forget', 'attendee-ecc2020.participant-0001', '--store', store);
    expect(again.stdout).toMatch(/^attendee-ecc2020\.participant-0001 was forgotten already, at .*: nothing changed/);

    expect((await run('replay', '--store', store)).code).toBe(0);
    expect(directoryName(file, 'participant-0001')).toEqual(forgotten);
    expect(directoryName(file, 'participant-0002')).toBe('Participant 0002');
    expect(attendanceTotal(file)).toEqual(counts);

    const rebuilt = await run('rebuild', 'attendee_directory', '--store', store);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(directoryName(file, 'participant-0001')).toEqual(forgotten);

    const tail = await run('tail', '--from', 'start', '--until-head', '--json', '--type', 'AttendeeRegistered', '--store', store);
    expect(tail.code, tail.stderr).toBe(0);
    const names = namesOf(tail.stdout);
    expect(names['participant-0001']).toEqual(forgotten);
    expect(names['participant-0002']).toBe('Participant 0002');
  }, 120_000);

  it('exports ciphertext only, and moves the keys apart: with them the names read, without them none does', async () => {
    const events = join(dir, 'events.ndjson');
    const keys = join(dir, 'keys.ndjson');
    expect((await run('export', '--store', store, '--out', events)).code).toBe(0);
    expect(readFileSync(events, 'utf8')).not.toMatch(/Participant \d/);
    const keysRun = await run('keys', 'export', '--store', store, '--out', keys, '--json');
    expect(keysRun.code, keysRun.stderr).toBe(0);
    expect(JSON.parse(keysRun.stdout)).toMatchObject({ out: keys, count: expect.any(Number) });
    expect(statSync(keys).mode & 0o777).toBe(0o600);
    expect(readFileSync(keys, 'utf8')).toMatch(/\{"forgottenAt":"[^"]+","subject":"attendee-ecc2020.participant-0001"\}/);

    const withKeys = `sqlite:${join(dir, 'moved.sqlite')}`;
    const keyFile = `sqlite:${join(dir, 'moved-keys.sqlite')}`;
    expect((await run('import', events, '--store', withKeys)).code).toBe(0);
    const imported = await run('keys', 'import', keys, '--keys', keyFile);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/ added, 0 already present, 0 forgotten by the import, 0 kept forgotten/);
    const moved = namesOf((await run('tail', '--from', 'start', '--until-head', '--json', '--store', withKeys, '--keys', keyFile)).stdout);
    expect(moved['participant-0001']).toEqual(forgotten);
    expect(moved['participant-0002']).toBe('Participant 0002');

    const withoutKeys = `sqlite:${join(dir, 'bare.sqlite')}`;
    expect((await run('import', events, '--store', withoutKeys)).code).toBe(0);
    const bare = namesOf((await run('tail', '--from', 'start', '--until-head', '--json', '--store', withoutKeys)).stdout);
    expect(Object.values(bare).every((name) => (name as { forgotten?: boolean }).forgotten === true)).toBe(true);
    const replayed = await run('replay', '--store', withoutKeys);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(attendanceTotal(join(dir, 'bare.sqlite'))).toEqual(attendanceTotal(file));
  }, 120_000);

  it('says what is wrong with a subject id or a key file, in one line', async () => {
    const bad = await run('forget', 'not a subject', '--store', store);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('clusterconf: Invalid subject id "not a subject": it contains U+0020 at index 3; use printable characters without spaces\n');
    const events = join(dir, 'events.ndjson');
    const wrong = await run('keys', 'import', events, '--keys', `sqlite:${join(dir, 'k.sqlite')}`);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^clusterconf: .*events\.ndjson:1 is not a key record: /);
  });
});
