/* Browser test driver for what chromium --dump-dom cannot do (browser.c
 * runs it with node when a case needs it): an exact viewport width (headless
 * windows are at least 500 px wide; Emulation.setDeviceMetricsOverride is
 * not), key presses (Input.dispatchKeyEvent: a real Tab walk), scripts in
 * pages whose Content-Security-Policy allows none (Page.setBypassCSP, for
 * axe-core on /p/{id} and /widget/{id}.html), and the console.
 *
 *   node cdp.js JOB.json   prints one JSON result on stdout
 *
 * JOB: {chromium, profile, axe (path of axe.min.js or null), pages: [{url,
 * width, height, shot (PNG path or null), audit (bool), tab (bool)}]}.
 * Per page the result has: console (warnings and errors), audit (axe's
 * violations as {id, impact, tags, nodes}, the number of rules that
 * passed, layout facts from audit() below), tab (the Tab walk).
 *
 * chromium talks over --remote-debugging-pipe: commands on its fd 3,
 * replies and events from its fd 4, each a JSON text ended by a NUL.
 */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const proc = spawn(job.chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
    '--disable-background-networking', '--disable-component-update', '--lang=en-US',
    '--remote-debugging-pipe', '--user-data-dir=' + job.profile,
    'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
proc.stderr.on('data', () => {});
const toChrome = proc.stdio[3], fromChrome = proc.stdio[4];

let nextId = 1, pending = Buffer.alloc(0);
const waiting = new Map(), listeners = [];
fromChrome.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    let nul;
    while ((nul = pending.indexOf(0)) >= 0) {
        const msg = JSON.parse(pending.subarray(0, nul).toString('utf8'));
        pending = pending.subarray(nul + 1);
        if (msg.id && waiting.has(msg.id)) {
            const { ok, fail } = waiting.get(msg.id);
            waiting.delete(msg.id);
            if (msg.error) fail(new Error(JSON.stringify(msg.error)));
            else ok(msg.result);
        } else if (msg.method) {
            listeners.forEach((l) => l(msg));
        }
    }
});
const send = (method, params = {}, sessionId) => new Promise((ok, fail) => {
    const id = nextId++;
    waiting.set(id, { ok, fail });
    toChrome.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
});
const event = (method, sessionId, ms = 30000) => new Promise((ok, fail) => {
    const l = (m) => {
        if (m.method === method && m.sessionId === sessionId) {
            listeners.splice(listeners.indexOf(l), 1);
            ok(m.params);
        }
    };
    listeners.push(l);
    setTimeout(() => fail(new Error('no ' + method + ' in ' + ms + ' ms')), ms);
});

/* What runs in the page. ready: every widget on it has rendered (or the
 * page has none). */
const READY = `(async () => {
    const done = () => [...document.querySelectorAll('[data-chorus-product]')].every((h) => {
        const r = h.shadowRoot || h, w = r.querySelector('.cw');
        return w && !w.hidden && !r.querySelector('.cw-loading') && r.querySelector('.cw-sr[aria-live]') &&
            !/…$/.test(r.querySelector('.cw-sr[aria-live]').textContent);
    });
    for (let t = 0; t < 15000 && !done(); t += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); /* the pair's fetches, fonts */
    return done();
})()`;

/* audit: axe-core on the document (shadow roots included) and, for each
 * script widget, on its shadow root alone; then layout facts, through
 * shadow roots: the histogram counts that take more than one line, the
 * elements that reach past the viewport (hidden ones and those inside a
 * scrolling box excepted), and whether the document scrolls sideways. */
const AUDIT = `(async () => {
    const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
    const brief = (r) => ({
        violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, tags: v.tags,
            nodes: v.nodes.map((n) => n.target.flat().join(' >> ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300)) })),
        passes: r.passes.length,
    });
    const out = { axe: axe.version, page: brief(await axe.run(document, { runOnly: { type: 'tag', values: TAGS } })), shadow: [] };
    const hosts = [...document.querySelectorAll('[data-chorus-product]')].filter((h) => h.shadowRoot);
    for (let i = 0; i < hosts.length; i++) {
        hosts[i].setAttribute('data-audit', String(i));
        out.shadow.push(brief(await axe.run({ fromShadowDom: ['[data-audit="' + i + '"]', '.cw'] },
            { runOnly: { type: 'tag', values: TAGS } })));
    }
    const all = [];
    const walk = (root) => {
        for (const e of root.querySelectorAll('*')) {
            all.push(e);
            if (e.shadowRoot) walk(e.shadowRoot);
        }
    };
    walk(document);
    const lines = (e) => {
        const r = document.createRange();
        r.selectNodeContents(e);
        return new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top))).size;
    };
    const clipped = (e) => {
        for (let p = e.parentElement || (e.getRootNode() && e.getRootNode().host); p; p = p.parentElement || (p.getRootNode() && p.getRootNode().host)) {
            const s = getComputedStyle(p);
            if (/(auto|scroll|hidden|clip)/.test(s.overflowX) || p.classList.contains('cw-sr')) return true;
        }
        return false;
    };
    const vw = document.documentElement.clientWidth;
    const name = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    out.layout = {
        viewport: vw,
        counts: all.filter((e) => e.classList.contains('cw-bar-n')).map((e) => ({ text: e.textContent, lines: lines(e) })),
        wide: all.filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && (r.right > vw + 1 || r.left < -1) && !clipped(e);
        }).slice(0, 20).map((e) => name(e) + ' ' + Math.round(e.getBoundingClientRect().left) + '..' + Math.round(e.getBoundingClientRect().right)),
        doc_scroll_width: document.documentElement.scrollWidth,
        /* Regions that scroll sideways (the dashboard's table): how much of
         * their content is out of sight. */
        scrollers: all.filter((e) => /(auto|scroll)/.test(getComputedStyle(e).overflowX)).map((e) => ({ name: name(e), hidden: e.scrollWidth - e.clientWidth })),
        titles: all.filter((e) => e.matches('h1, .cw-title')).map((e) => ({ text: e.textContent.slice(0, 40), right: Math.round(e.getBoundingClientRect().right) })),
    };
    return out;
})()`;

/* FOCUS describes the element that has the keyboard focus, through shadow
 * roots, and whether it shows a focus indicator. */
const FOCUS = `(() => {
    let e = document.activeElement, path = [];
    while (e && e.shadowRoot && e.shadowRoot.activeElement) {
        path.push(e.getAttribute('data-chorus-product'));
        e = e.shadowRoot.activeElement;
    }
    if (!e || e === document.body) return { none: true };
    const s = getComputedStyle(e);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || (s.boxShadow && s.boxShadow !== 'none');
    const r = e.getBoundingClientRect();
    return { host: path.join('/'), tag: e.tagName.toLowerCase(), cls: e.className || '',
        text: (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60), rating: e.dataset ? e.dataset.rating || null : null,
        ring, outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, visible: r.width > 0 && r.height > 0,
        focus_visible: e.matches(':focus-visible') };
})()`;

/* CONTROLS lists the widgets' focusable controls in DOM order, the order a
 * Tab walk must take. */
const CONTROLS = `(() => [...document.querySelectorAll('[data-chorus-product]')].flatMap((h) =>
    [...(h.shadowRoot || h).querySelectorAll('a[href], button, select, [tabindex]:not([tabindex="-1"])')]
        .filter((e) => e.getClientRects().length > 0 && !e.disabled)
        .map((e) => ({ host: h.getAttribute('data-chorus-product'), tag: e.tagName.toLowerCase(), cls: e.className || '',
            text: (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60) }))))()`;

const evaluate = async (s, expr) => {
    const r = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true }, s);
    if (r.exceptionDetails) throw new Error('in the page: ' + JSON.stringify(r.exceptionDetails).slice(0, 800));
    return r.result.value;
};

const key = async (s, shift) => {
    const k = { key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9, modifiers: shift ? 8 : 0 };
    await send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...k }, s);
    await send('Input.dispatchKeyEvent', { type: 'keyUp', ...k }, s);
};

const page = async (p, axeSrc) => {
    const res = { url: p.url, width: p.width, console: [] };
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId: s } = await send('Target.attachToTarget', { targetId, flatten: true });
    listeners.push((m) => {
        if (m.sessionId === s && m.method === 'Runtime.consoleAPICalled' && /warn|error/.test(m.params.type))
            res.console.push(m.params.type + ': ' + m.params.args.map((a) => a.value !== undefined ? String(a.value) : a.description || a.type).join(' ').slice(0, 300));
    });
    await send('Page.enable', {}, s);
    await send('Runtime.enable', {}, s);
    await send('Page.setBypassCSP', { enabled: true }, s);
    /* As on a phone: scrollbars take no width from the layout. */
    await send('Emulation.setScrollbarsHidden', { hidden: true }, s);
    await send('Emulation.setDeviceMetricsOverride', { width: p.width, height: p.height || 1400, deviceScaleFactor: 1, mobile: false }, s);
    const loaded = event('Page.loadEventFired', s);
    await send('Page.navigate', { url: p.url }, s);
    await loaded;
    res.ready = await evaluate(s, READY);
    if (p.audit) {
        await evaluate(s, axeSrc + '\n;true');
        res.audit = await evaluate(s, AUDIT);
    }
    if (p.shot) {
        const { data } = await send('Page.captureScreenshot', { format: 'png' }, s);
        fs.writeFileSync(p.shot, Buffer.from(data, 'base64'));
    }
    if (p.tab) {
        /* From the top of the page, Tab until focus has been through the
         * widgets and left them (or 200 presses). */
        res.tab = { controls: await evaluate(s, CONTROLS), walk: [] };
        await evaluate(s, 'document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0), true');
        for (let i = 0, inside = false; i < 200; i++) {
            await key(s, false);
            const f = await evaluate(s, FOCUS);
            if (f.host) {
                inside = true;
                res.tab.walk.push(f);
            } else if (inside) {
                break;
            }
        }
        /* One step back: Shift+Tab lands on the last control again. */
        await key(s, true);
        res.tab.back = await evaluate(s, FOCUS);
    }
    await send('Target.closeTarget', { targetId });
    return res;
};

(async () => {
    const out = { pages: [] };
    try {
        const axeSrc = job.axe ? fs.readFileSync(job.axe, 'utf8') : null;
        await sleep(100);
        for (const p of job.pages) out.pages.push(await page(p, axeSrc));
    } catch (e) {
        out.error = String((e && e.stack) || e);
    }
    process.stdout.write(JSON.stringify(out) + '\n', () => {
        try {
            toChrome.end();
            proc.kill();
        } catch (e) { /* gone already */ }
        process.exit(0);
    });
})();
