import { refuse } from './refusal.ts';

/**
 * Decodes Universal Binary JSON (ubjson.org, draft 12), the format of Booster.save_model('m.ubj')
 * since XGBoost 1.6, into the value JSON.parse would give for the same model. Big-endian numbers;
 * containers may be typed ('$') and counted ('#'), as XGBoost writes its float arrays.
 */
export function decodeUbjson(bytes: Uint8Array, userPath: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  let at = 0;
  const fail = (why: string): never => {
    throw refuse(`model file '${userPath}' is not valid UBJSON (${why} at byte ${at})`, 'Save the model with Booster.save_model(\'model.json\').');
  };
  const need = (n: number) => {
    if (at + n > bytes.length) fail('it ends too soon');
  };
  const marker = (): string => {
    need(1);
    return String.fromCharCode(bytes[at++]);
  };
  const count = (): number => {
    const n = scalar(marker());
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail('a bad length');
    return n as number;
  };
  const scalar = (type: string): unknown => {
    const take = (n: number, read: (o: number) => number | bigint) => {
      need(n);
      const v = read(at);
      at += n;
      return v;
    };
    switch (type) {
      case 'Z': return null;
      case 'T': return true;
      case 'F': return false;
      case 'i': return take(1, (o) => view.getInt8(o));
      case 'U': return take(1, (o) => view.getUint8(o));
      case 'I': return take(2, (o) => view.getInt16(o));
      case 'l': return take(4, (o) => view.getInt32(o));
      case 'L': return Number(take(8, (o) => view.getBigInt64(o)));
      case 'd': return take(4, (o) => view.getFloat32(o));
      case 'D': return take(8, (o) => view.getFloat64(o));
      case 'C': return String.fromCharCode(take(1, (o) => view.getUint8(o)) as number);
      case 'S':
      case 'H': {
        const n = count();
        need(n);
        const s = text.decode(bytes.subarray(at, at + n));
        at += n;
        return type === 'H' ? Number(s) : s;
      }
      case '[': return container(false);
      case '{': return container(true);
      default: return fail(`an unknown type marker '${type}'`);
    }
  };
  const container = (object: boolean): unknown => {
    let type: string | undefined;
    let n: number | undefined;
    if (bytes[at] === 0x24 /* $ */) {
      at++;
      type = marker();
      if (marker() !== '#') fail('a typed container without a count');
      n = count();
    } else if (bytes[at] === 0x23 /* # */) {
      at++;
      n = count();
    }
    const value = () => scalar(type ?? nextMarker());
    const nextMarker = () => {
      let m = marker();
      while (m === 'N') m = marker(); // no-op padding
      return m;
    };
    const key = () => {
      const k = count();
      need(k);
      const s = text.decode(bytes.subarray(at, at + k));
      at += k;
      return s;
    };
    const done = (i: number) => (n !== undefined ? i >= n : bytes[at] === (object ? 0x7d : 0x5d) && (at++, true));
    if (object) {
      const o: Record<string, unknown> = {};
      for (let i = 0; !done(i); i++) {
        const k = key();
        o[k] = value();
      }
      return o;
    }
    const a: unknown[] = [];
    for (let i = 0; !done(i); i++) a.push(value());
    return a;
  };
  return scalar(marker());
}
