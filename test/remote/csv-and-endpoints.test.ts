import { describe, expect, test } from 'vitest';
import { parseCliOptions, UsageError } from '../../src/cli/cli-options.ts';
import { csvFirstFields, csvRows } from '../../src/remote/csv.ts';
import { endpointUrl, parseEndpointList } from '../../src/remote/endpoints.ts';

describe('the CSV of a request and of an answer', () => {
  test('rows: RFC 4180 quoting where a field needs it, NULL and empty as an empty field', () => {
    const args = [
      ['1.5', null, '-2', '3'],
      ['plain', 'a,b', 'say "hi"', 'two\nlines'],
      [null, '', ' lead', 't'],
    ];
    expect(csvRows(args, 0, 4)).toBe('1.5,plain,\n,"a,b",\n-2,"say ""hi"""," lead"\n3,"two\nlines",t\n');
    expect(csvRows(args, 1, 2)).toBe(',"a,b",\n');
  });

  test('answers: one value a line, CRLF or LF, quoted values with newlines, extra fields ignored, last newline optional', () => {
    expect(csvFirstFields('1\n2.5\n-3e2\n')).toEqual(['1', '2.5', '-3e2']);
    expect(csvFirstFields('1\r\n2\r\n')).toEqual(['1', '2']);
    expect(csvFirstFields('"a,b"\n"say ""hi"""\n"x\ny"')).toEqual(['a,b', 'say "hi"', 'x\ny']);
    expect(csvFirstFields('0.9,0.1\n0.2,"0,8"\n')).toEqual(['0.9', '0.2']);
    expect(csvFirstFields('\n\n')).toEqual(['', '']);
    expect(csvFirstFields('')).toEqual([]);
    expect(() => csvFirstFields('"open')).toThrow('unterminated');
  });
});

describe('endpoint configuration', () => {
  test('name=URL entries; bad entries say what is wrong', () => {
    expect([...parseEndpointList(['a=http://127.0.0.1:8080/invocations', 'b = https://x.example/y'])]).toEqual([
      ['a', 'http://127.0.0.1:8080/invocations'],
      ['b', 'https://x.example/y'],
    ]);
    expect(() => parseEndpointList(['nourl'])).toThrow('--endpoint takes name=URL, not "nourl"');
    expect(() => parseEndpointList(['a=not a url'])).toThrow('is not a URL');
    expect(() => parseEndpointList(['a=ftp://x/'])).toThrow('must be http or https');
    expect(() => parseEndpointList(['a=http://x/', 'a=http://y/'])).toThrow('--endpoint a is given twice');
  });

  test('--endpoint is repeatable, MODELGRES_ENDPOINTS is a comma-separated list, the flag wins', () => {
    const flags = parseCliOptions(['--endpoint', 'a=http://h/a', '--endpoint', 'b=http://h/b', '--endpoint-timeout', '5'], {});
    expect([...flags.endpoints.keys()]).toEqual(['a', 'b']);
    expect(flags.endpointTimeoutSeconds).toBe(5);
    const env = parseCliOptions([], { MODELGRES_ENDPOINTS: 'c=http://h/c,d=http://h/d' });
    expect([...env.endpoints.keys()]).toEqual(['c', 'd']);
    expect(env.endpointTimeoutSeconds).toBe(30);
    expect([...parseCliOptions(['--endpoint', 'a=http://h/a'], { MODELGRES_ENDPOINTS: 'c=http://h/c' }).endpoints.keys()]).toEqual(['a']);
    expect(() => parseCliOptions(['--endpoint', 'oops'], {})).toThrow(UsageError);
  });

  test('an unknown name: 42704 listing the configured ones and saying how to add it', async () => {
    await expect(endpointUrl({ urls: new Map([['a', 'http://h/a']]), timeoutMs: 1 }, 'z')).rejects.toMatchObject({
      code: '42704',
      message: 'remote endpoint "z" is not configured in this modelgres',
      detail: 'Configured endpoints: a.',
      hint: "A superuser sets it with SELECT modelgres.set_remote_endpoint('z', 'URL'), or start modelgres with --endpoint z=URL.",
    });
  });

  test("the flags win over the catalog's directory; a name only the directory knows is found there", async () => {
    const directory = { lookup: async (name: string) => ({ a: 'http://catalog/a', c: 'http://catalog/c' })[name], names: () => ['a', 'c'] };
    const endpoints = { urls: new Map([['a', 'http://flag/a'], ['b', 'http://flag/b']]), timeoutMs: 1, directory };
    expect(await endpointUrl(endpoints, 'a')).toBe('http://flag/a');
    expect(await endpointUrl(endpoints, 'c')).toBe('http://catalog/c');
    await expect(endpointUrl(endpoints, 'z')).rejects.toMatchObject({ code: '42704', detail: 'Configured endpoints: a, b, c.' });
  });
});
