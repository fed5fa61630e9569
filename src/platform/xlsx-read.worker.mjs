// The XLSX reader's worker thread (plain JavaScript, so it runs the same under tsx, vitest and a
// compiled build). It reads the workbook's zip and sheet XML itself, in one pass per part, with
// every bound checked before anything is built: uncompressed bytes, rows, columns, cells. The
// parent (xlsx.ts) kills it when it runs past its time limit.
import { parentPort, workerData } from 'node:worker_threads';
import { inflateRawSync } from 'node:zlib';

class ReadError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const notWorkbook = (why) => new ReadError('invalid_file', `This is not an XLSX workbook (${why})`);
const tooLarge = (why) => new ReadError('file_too_large', `The workbook is too large to import: ${why}`);

/** The zip's entries by name (central directory), inflated on demand within the byte budget. */
function openZip(buf, limits) {
  const min = Math.max(0, buf.length - 22 - 65535);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notWorkbook('no zip directory');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  if (count > 10_000) throw tooLarge('too many parts');
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) throw notWorkbook('broken zip directory');
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    entries.set(name.replace(/^\/+/, ''), { method, compressed, local });
    at += 46 + nameLen + extraLen + commentLen;
  }
  let budget = limits.maxBytes;
  return {
    has: (name) => entries.has(name),
    text(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      if (e.local + 30 > buf.length || buf.readUInt32LE(e.local) !== 0x04034b50) throw notWorkbook('broken zip entry');
      const start = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
      const end = start + e.compressed;
      if (end > buf.length) throw notWorkbook('truncated zip entry');
      let data;
      if (e.method === 0) data = buf.subarray(start, end);
      else if (e.method === 8) {
        try {
          data = inflateRawSync(buf.subarray(start, end), { maxOutputLength: Math.max(1, budget) });
        } catch (err) {
          if (err instanceof RangeError || err?.code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(`more than ${limits.maxBytes} bytes uncompressed`);
          throw notWorkbook('corrupt compressed data');
        }
      } else throw notWorkbook('unsupported compression');
      budget -= data.length;
      if (budget < 0) throw tooLarge(`more than ${limits.maxBytes} bytes uncompressed`);
      return data.toString('utf8');
    },
  };
}

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function decode(s) {
  return s
    .replace(/&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|(lt|gt|amp|quot|apos));/g, (m, hex, dec, named) => {
      if (named) return ENTITIES[named];
      const cp = hex ? parseInt(hex, 16) : Number(dec);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    })
    .replace(/_x([0-9a-fA-F]{4})_/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16)));
}
const attrPatterns = new Map();
const attr = (attrs, name) => {
  let re = attrPatterns.get(name);
  if (!re) attrPatterns.set(name, (re = new RegExp(`(?:^|\\s)${name}="([^"]*)"`)));
  const m = re.exec(attrs);
  return m ? decode(m[1]) : undefined;
};
/** Text of the <t> runs in a string item, leaving out phonetic guides. */
const runsText = (xml) => {
  let out = '';
  const plain = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '');
  for (const m of plain.matchAll(/<t\b[^>]*>([^<]*)<\/t>/g)) out += decode(m[1]);
  return out;
};

function sharedStrings(zip, limits) {
  const xml = zip.text('xl/sharedStrings.xml');
  if (!xml) return [];
  const out = [];
  for (const m of xml.matchAll(/<si\b[^>]*>([\s\S]*?)<\/si>|<si\b[^>]*\/>/g)) {
    if (out.length >= limits.maxCells) throw tooLarge(`more than ${limits.maxCells} strings`);
    out.push(m[1] === undefined ? '' : runsText(m[1]));
  }
  return out;
}

const BUILTIN_DATES = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
/** Which cell styles (by index) show a date. */
function dateStyles(zip) {
  const xml = zip.text('xl/styles.xml');
  const dates = new Set();
  if (!xml) return dates;
  const custom = new Map();
  for (const m of xml.matchAll(/<numFmt\b([^>]*)\/?>/g)) {
    const id = Number(attr(m[1], 'numFmtId'));
    const code = (attr(m[1], 'formatCode') ?? '').replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
    custom.set(id, /[dmy]/i.test(code) && !/^[#0.,%\s]*$/.test(code));
  }
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml);
  if (!xfs) return dates;
  let i = 0;
  for (const m of xfs[1].matchAll(/<xf\b([^>]*?)\/?>/g)) {
    const id = Number(attr(m[1], 'numFmtId') ?? 0);
    if (custom.has(id) ? custom.get(id) : BUILTIN_DATES.has(id)) dates.add(i);
    i++;
  }
  return dates;
}

function serialToDate(serial, date1904) {
  const ms = Math.round((serial + (date1904 ? 1462 : 0) - 25569) * 86_400_000);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(serial) : d.toISOString().slice(0, 10);
}

/** "AB12" → column 28 (1-based). */
function columnOf(ref) {
  const m = /^([A-Z]{1,3})/.exec(ref);
  if (!m) return undefined;
  let n = 0;
  for (const ch of m[1]) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function readSheet(xml, ctx, limits) {
  const cells = []; // [row, col, text] of non-empty cells, bounds checked as they are met
  let maxRow = 0;
  let maxCol = 0;
  let rowNo = 0;
  const data = /<sheetData\b[^>]*>([\s\S]*?)<\/sheetData>/.exec(xml)?.[1] ?? '';
  for (const rm of data.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const r = attr(rm[1], 'r');
    rowNo = r !== undefined ? Number(r) : rowNo + 1;
    if (!Number.isInteger(rowNo) || rowNo < 1) throw notWorkbook('bad row number');
    if (rm[2] === undefined) continue;
    let colNo = 0;
    for (const cm of rm[2].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = attr(cm[1], 'r');
      colNo = (ref !== undefined ? columnOf(ref) : undefined) ?? colNo + 1;
      if (cm[2] === undefined) continue;
      const type = attr(cm[1], 't') ?? 'n';
      let text = '';
      if (type === 'inlineStr') text = runsText(/<is\b[^>]*>([\s\S]*?)<\/is>/.exec(cm[2])?.[1] ?? '');
      else {
        const v = /<v\b[^>]*>([^<]*)<\/v>/.exec(cm[2]);
        if (!v) continue;
        const raw = decode(v[1]);
        if (type === 's') text = ctx.strings[Number(raw)] ?? '';
        else if (type === 'b') text = raw === '1' ? 'true' : 'false';
        else if (type === 'e') text = '';
        else if (type === 'str' || type === 'd') text = type === 'd' ? raw.slice(0, 10) : raw;
        else {
          const n = Number(raw);
          if (raw.trim() === '' || Number.isNaN(n)) text = raw;
          else text = ctx.dates.has(Number(attr(cm[1], 's') ?? 0)) ? serialToDate(n, ctx.date1904) : String(n);
        }
      }
      text = text.trim();
      if (text === '') continue;
      if (rowNo > limits.maxRows) throw tooLarge(`a value in row ${rowNo} (at most ${limits.maxRows} rows)`);
      if (colNo > limits.maxColumns) throw tooLarge(`a value in column ${colNo} (at most ${limits.maxColumns} columns)`);
      if (cells.length >= limits.maxCells) throw tooLarge(`more than ${limits.maxCells} filled cells`);
      cells.push([rowNo, colNo, text]);
      if (rowNo > maxRow) maxRow = rowNo;
      if (colNo > maxCol) maxCol = colNo;
    }
  }
  // Only now, with every bound known to hold, build the table (rows × the widest row).
  const rows = Array.from({ length: maxRow }, () => new Array(maxCol).fill(''));
  for (const [r, c, text] of cells) rows[r - 1][c - 1] = text;
  return rows;
}

export function readWorkbook(buf, limits) {
  if (buf.length < 4 || buf.toString('latin1', 0, 2) !== 'PK') throw notWorkbook('not a zip file');
  const zip = openZip(buf, limits);
  const workbook = zip.text('xl/workbook.xml');
  if (!workbook) throw notWorkbook('no xl/workbook.xml');
  const rels = zip.text('xl/_rels/workbook.xml.rels') ?? '';
  const targets = new Map();
  for (const m of rels.matchAll(/<Relationship\b([^>]*?)\/?>/g)) targets.set(attr(m[1], 'Id'), attr(m[1], 'Target'));
  const ctx = {
    strings: sharedStrings(zip, limits),
    dates: dateStyles(zip),
    date1904: /<workbookPr\b[^>]*\bdate1904="(1|true)"/.test(workbook),
  };
  const sheets = [];
  for (const m of workbook.matchAll(/<sheet\b([^>]*?)\/?>/g)) {
    const name = attr(m[1], 'name') ?? `Sheet${sheets.length + 1}`;
    const target = targets.get(attr(m[1], 'r:id'));
    if (!target) continue;
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`.replace(/\/\.\//g, '/');
    const xml = zip.text(path);
    if (xml === undefined) continue;
    sheets.push({ name, rows: readSheet(xml, ctx, limits) });
  }
  return sheets;
}

if (parentPort && workerData?.kind === 'threshold-xlsx-read') {
  try {
    const buf = Buffer.from(workerData.data.buffer, workerData.data.byteOffset, workerData.data.byteLength);
    parentPort.postMessage({ ok: true, sheets: readWorkbook(buf, workerData.limits) });
  } catch (err) {
    const known = err instanceof ReadError;
    parentPort.postMessage({ ok: false, code: known ? err.code : 'invalid_file', message: known ? err.message : 'This is not an XLSX workbook (it cannot be read)' });
  }
}
