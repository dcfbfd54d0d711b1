// Build fitcheck's plotly.js bundles: `make plotly-bundle` (or `npm ci && node build.mjs`
// here). Each entry in src/ registers only the trace types its pages draw; this bundles and
// minifies it into a script that defines the global `Plotly` (as static/charts.js expects),
// and writes fitcheck/static/vendor/plotly-<name>.min.js with its precompressed siblings
// .gz and .br, which the app serves as they are (fitcheck/assets.py). The output is
// committed, so running and testing fitcheck need no Node.
//
// Reproducible: the same lock file and Node give the same bytes (the gzip header carries no
// time and no OS), so a rebuild with nothing changed leaves git with nothing to commit.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '..', '..', 'fitcheck', 'static', 'vendor');
const BUNDLES = ['round', 'analysis'];
const { version } = JSON.parse(readFileSync(join(HERE, 'node_modules', 'plotly.js', 'package.json'), 'utf8'));

// The trace types an entry registers, in its order, read from its require() calls.
function tracesOf(entry) {
    const source = readFileSync(entry, 'utf8');
    const traces = [...source.matchAll(/require\('plotly\.js\/lib\/(\w+)'\)/g)]
        .map((match) => match[1])
        .filter((name) => name !== 'core');
    if (traces.length === 0) throw new Error(`${entry} registers no trace type`);
    return traces;
}

// plotly.js's registry require()s maplibre-gl's stylesheet for the map subplot. Neither
// bundle registers a map trace, so that require never runs: an empty module stands in for
// the 83 kB stylesheet. Any other stylesheet would be a trace we cannot serve: fail.
const noMapStylesheet = {
    name: 'no-map-stylesheet',
    setup(build) {
        build.onResolve({ filter: /\.css$/ }, (args) => {
            if (args.path === 'maplibre-gl/dist/maplibre-gl.css') {
                return { path: args.path, namespace: 'no-map-stylesheet' };
            }
            return { errors: [{ text: `${args.importer} needs the stylesheet ${args.path}` }] };
        });
        build.onLoad({ filter: /.*/, namespace: 'no-map-stylesheet' }, () => ({
            contents: '',
            loader: 'js',
        }));
    },
};

function gzip(data) {
    const compressed = gzipSync(data, { level: 9 });
    // Node writes mtime 0; the OS byte depends on the platform zlib was built for: "unknown".
    compressed[9] = 0xff;
    return compressed;
}

function brotli(data) {
    return brotliCompressSync(data, {
        params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
    });
}

async function bundle(name) {
    const entry = join(HERE, 'src', `${name}.js`);
    const traces = tracesOf(entry);
    const result = await esbuild.build({
        absWorkingDir: HERE,
        entryPoints: [entry],
        bundle: true,
        write: false,
        outfile: join(OUT, `plotly-${name}.min.js`),
        // As plotly.js builds its own dist (its esbuild-config.js): an IIFE whose result
        // is the global `Plotly`, for the same browsers, with the same substitutions.
        format: 'iife',
        globalName: 'Plotly',
        target: 'es2016',
        minify: true,
        sourcemap: false,
        legalComments: 'eof',
        charset: 'utf8',
        define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
        alias: { regl: '@plotly/regl' },
        plugins: [noMapStylesheet],
        banner: { js: `/*! plotly.js v${version} (fitcheck bundle: ${name} — ${traces.join(', ')}) | MIT */` },
        logLevel: 'warning',
    });
    const outputs = result.outputFiles.filter((file) => file.path.endsWith('.js'));
    if (outputs.length !== 1 || result.outputFiles.length !== 1) {
        throw new Error(`${name}: expected one script, got ${result.outputFiles.map((f) => f.path)}`);
    }
    const script = Buffer.from(outputs[0].contents);
    const siblings = { '.gz': gzip(script), '.br': brotli(script) };
    if (!gunzipSync(siblings['.gz']).equals(script) || !brotliDecompressSync(siblings['.br']).equals(script)) {
        throw new Error(`${name}: a compressed copy does not decompress to the script`);
    }
    const path = outputs[0].path;
    writeFileSync(path, script);
    for (const [ext, data] of Object.entries(siblings)) writeFileSync(path + ext, data);
    const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
    console.log(
        `${relative(process.cwd(), path)}: ${kb(script.length)}, gzip ${kb(siblings['.gz'].length)}, ` +
            `brotli ${kb(siblings['.br'].length)} (${traces.join(', ')})`,
    );
}

mkdirSync(OUT, { recursive: true });
for (const name of BUNDLES) await bundle(name);
