// Numbers as a peering engineer reads them.

const BIT_UNITS = [['Tbit/s', 1e12], ['Gbit/s', 1e9], ['Mbit/s', 1e6], ['kbit/s', 1e3], ['bit/s', 1]];

/** The best bits-per-second unit for a set of values: [name, divisor]. */
export function bitUnit(values) {
  const max = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  return BIT_UNITS.find(([, d]) => max >= d) || BIT_UNITS[BIT_UNITS.length - 1];
}

export function fixed(v, digits) {
  return Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '';
}

/** How each unit of the APIs is shown: a scale for a series' values and a label. */
export function unitScale(unit, values) {
  switch (unit) {
    case 'UNIT_BITS_PER_SECOND': {
      const [name, d] = bitUnit(values);
      return { label: name, scale: (v) => v / d, text: (v) => fixed(v / d, 2) + ' ' + name };
    }
    case 'UNIT_PERCENT': return { label: '%', scale: (v) => v, text: (v) => fixed(v, 2) + ' %' };
    case 'UNIT_PACKETS_PER_SECOND': return { label: 'packets/s', scale: (v) => v, text: (v) => fixed(v, 2) + ' packets/s' };
    case 'UNIT_COUNT': return { label: 'count', scale: (v) => v, text: (v) => fixed(v, 0) };
    case 'ms': return { label: 'ms', scale: (v) => v, text: (v) => fixed(v, 2) + ' ms' };
    default: return { label: '', scale: (v) => v, text: (v) => String(v) };
  }
}

/** A protobuf JSON Timestamp ("2026-12-04T10:00:00Z") as UTC text "2026-12-04 10:00:00". */
export function utc(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace('Z', '');
}

/** "3 d 4 h", "5 min", from a protobuf JSON Duration ("12345.5s"). */
export function duration(d) {
  if (!d) return '';
  let s = Math.floor(parseFloat(d));
  if (!Number.isFinite(s) || s <= 0) return '';
  const parts = [];
  for (const [name, len] of [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]]) {
    if (s >= len) { parts.push(Math.floor(s / len) + ' ' + name); s %= len; }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** A protobuf JSON Duration ("0.000038s") in milliseconds; NaN when unset. */
export function millis(d) {
  return d ? parseFloat(d) * 1000 : NaN;
}

/** A round-trip time ("0.000038s") as "0.038 ms"; empty when unset. */
export function rttMs(d) {
  return d ? fixed(millis(d), 3) + ' ms' : '';
}

/** Enum names of the APIs without their prefix, in words: "RPKI_VALIDATION_STATE_NOT_FOUND" -> "Not found". */
export function enumText(value, prefix) {
  if (!value) return '';
  const rest = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  const words = rest.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function asn(n) {
  return n === undefined || n === null ? '' : 'AS' + n;
}
