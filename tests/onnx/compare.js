// Runs an ONNX model exported by `models export --format onnx` in ONNX
// Runtime (onnxruntime-node) over the rows of a CSV file that `prodml
// predict --keys` wrote, and compares each output with prodml's.
//   node compare.js MODEL.onnx PREDICTIONS.csv TOLERANCE
// The raw columns are read as a user of the model would feed them: empty
// is missing (NaN, or "" for strings), true/false are 1/0, timestamps are
// microseconds since 1970 UTC.  Prints "rows N outputs K max_diff D" and
// exits 1 when a difference (absolute, relative above 1) passes TOLERANCE.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

// RFC 4180: quoted fields may hold commas, quotes ("") and newlines.
function parseCsv(text) {
	const rows = [];
	let row = [], field = '', quoted = false, i = 0;
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
			if (c === '"') { quoted = false; i++; continue; }
			field += c; i++; continue;
		}
		if (c === '"') { quoted = true; i++; continue; }
		if (c === ',') { row.push(field); field = ''; i++; continue; }
		if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(field); rows.push(row); row = []; field = ''; i++; continue;
		}
		field += c; i++;
	}
	if (field !== '' || row.length) { row.push(field); rows.push(row); }
	return rows;
}

const TS = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?Z?$/;
function number(s) {
	if (s === '') return NaN;
	if (s === 'true') return 1;
	if (s === 'false') return 0;
	const t = TS.exec(s);
	if (t) {
		const ms = Date.UTC(+t[1], +t[2] - 1, +t[3], +t[4], +t[5], +(t[6] || 0));
		return ms * 1000 + Math.round(parseFloat('0' + (t[7] || '.0')) * 1e6);
	}
	const v = Number(s);
	if (Number.isNaN(v)) throw new Error(`'${s}' is not a number`);
	return v;
}

async function main() {
	const [model, csv, tolArg] = process.argv.slice(2);
	const tol = parseFloat(tolArg);
	const rows = parseCsv(fs.readFileSync(csv, 'utf8'));
	const head = rows.shift();
	const n = rows.length;
	const sess = await ort.InferenceSession.create(model);
	const feeds = {};
	for (const meta of sess.inputMetadata) {
		const col = head.indexOf(meta.name);
		if (col < 0) throw new Error(`${csv} has no column '${meta.name}'`);
		if (meta.type === 'string')
			feeds[meta.name] = new ort.Tensor('string', rows.map(r => r[col]), [n, 1]);
		else
			feeds[meta.name] = new ort.Tensor('float64', Float64Array.from(rows, r => number(r[col])), [n, 1]);
	}
	// prodml's outputs: "prediction", or one "p_CLASS" per class in order
	let outCols = head.map((h, i) => (h.startsWith('p_') ? i : -1)).filter(i => i >= 0);
	if (!outCols.length) outCols = [head.indexOf('prediction')];
	const res = (await sess.run(feeds)).prediction;
	const k = res.dims[1];
	if (res.dims[0] !== n || k !== outCols.length)
		throw new Error(`output is [${res.dims}], prodml gave ${n} x ${outCols.length}`);
	let worst = 0, at = -1;
	for (let r = 0; r < n; r++)
		for (let j = 0; j < k; j++) {
			const want = Number(rows[r][outCols[j]]), got = res.data[r * k + j];
			const d = Math.abs(got - want) / Math.max(1, Math.abs(want));
			if (!(d <= worst)) { worst = d; at = r; }
		}
	console.log(`rows ${n} outputs ${k} max_diff ${worst.toExponential(2)}`);
	if (!(worst <= tol)) {
		console.log(`row ${at + 2} of ${csv} differs: ${rows[at].join(',')} -> ${Array.from(res.data.slice(at * k, at * k + k))}`);
		process.exit(1);
	}
}

main().catch(e => { console.log(`error: ${e.message}`); process.exit(2); });
