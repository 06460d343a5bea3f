/* Browser test driver: runs in the host page that test_widget.c serves,
 * next to the widgets under test. It reads /config.json (what to check),
 * drives the widgets through their open shadow roots as a user would
 * (clicks, a select change), and writes one JSON summary into
 * <pre id="result"> in the host's own DOM, which chromium --dump-dom prints
 * and the C test parses. '<', '>' and '&' are written as \u escapes so the
 * summary survives HTML serialisation untouched.
 *
 * Time here is chromium's virtual time (--virtual-time-budget): it stands
 * still while a fetch is pending, so "sleep, then look" is deterministic.
 */
(async () => {
    'use strict';
    const res = { errors: [], messages: [] };
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    const until = async (fn, ms = 8000) => {
        for (let t = 0; t < ms; t += 50) {
            try {
                const v = fn();
                if (v) return v;
            } catch (e) { /* not there yet */ }
            await sleep(50);
        }
        return null;
    };
    const num = (s) => { const m = String(s || '').match(/\d+/); return m ? +m[0] : -1; };
    const text = (root, sel) => { const e = root.querySelector(sel); return e ? e.textContent : null; };
    const shown = (root, sel) => { const e = root.querySelector(sel); return !!e && e.getClientRects().length > 0; };
    /* The nth (from 0) widget of product id on the page. */
    const host = (id, nth = 0) => [...document.querySelectorAll('[data-chorus-product]')].filter((h) => h.getAttribute('data-chorus-product') === id)[nth];
    const items = (root) => [...root.querySelectorAll('.cw-list > li.cw-review')];
    const pairShown = (root) => [...root.querySelectorAll('.cw-pair .cw-review')].some((e) => e.getClientRects().length > 0);
    const starsOf = (li) => (text(li, '.cw-review-head .cw-stars') || '').split('★').length - 1;

    /* A payload that runs says so three ways; the listener catches the
     * ones that run inside a cross-origin frame. */
    window.addEventListener('message', (e) => res.messages.push(String(e.data).slice(0, 80)));

    /* rendered waits until the widget of product id has finished its
     * first render (styles loaded, list, empty state or error shown). */
    const rendered = async (id, nth) => {
        const root = await until(() => host(id, nth).shadowRoot);
        if (!root) return null;
        await until(() => root.querySelector('.cw:not([hidden])') &&
            (items(root).length || shown(root, '.cw-empty') || shown(root, '.cw-error')));
        await sleep(300); /* the pair's fetches */
        return root;
    };

    const summary = (root) => {
        const w = root.querySelector('.cw');
        return {
            count: text(root, '.cw-summary .cw-count'),
            avg: text(root, '.cw-summary .cw-avg'),
            stars_label: (root.querySelector('.cw-summary .cw-stars') || { getAttribute: () => null }).getAttribute('aria-label'),
            hist: [...root.querySelectorAll('.cw-hist .cw-bar')].map((b) => num(text(b, '.cw-bar-n'))),
            hist_ratings: [...root.querySelectorAll('.cw-hist .cw-bar')].map((b) => +b.dataset.rating),
            ids: items(root).map((li) => li.id),
            pair: [...root.querySelectorAll('.cw-pair .cw-review')].filter((e) => e.getClientRects().length).map((e) => starsOf(e)),
            error: shown(root, '.cw-error'),
            empty: shown(root, '.cw-empty'),
            more: shown(root, '.cw-show-more'),
            lang: w ? w.lang : null,
            dark: !!w && w.classList.contains('cw-dark'),
            label: w ? w.getAttribute('aria-label') : null,
            feed: (root.querySelector('a.cw-feed') || {}).href || null,
            live: !!root.querySelector('[aria-live=polite]'),
            title_color: root.querySelector('.cw-title') ? getComputedStyle(root.querySelector('.cw-title')).color : null,
            title_shown: shown(root, '.cw-title'),
            fallback: (root.querySelector('.cw-fallback a') || {}).href || null,
        };
    };

    /* Accessibility facts the C test asserts: every control is a real
     * button, link or select with a name; stars are labelled images. */
    const a11y = (root) => {
        const bars = [...root.querySelectorAll('.cw-bar')];
        const stars = [...root.querySelectorAll('.cw-stars')];
        const ctl = [...root.querySelectorAll('button, a[href], select')];
        const sel = root.querySelector('select.cw-sort');
        bars[0].focus();
        return {
            /* Named by their visible text and a share for screen readers, no aria-label. */
            bars_labelled: bars.length > 0 && bars.every((b) => b.tagName === 'BUTTON' && !b.hasAttribute('aria-label') && b.hasAttribute('aria-pressed') &&
                /^\d stars? \S+, \d+% of ratings$/.test(b.textContent.replace(/\s+/g, ' ')) && b.lastChild.className === 'cw-sr'),
            stars_labelled: stars.length > 0 && stars.every((s) => s.getAttribute('role') === 'img' && s.getAttribute('aria-label')),
            controls_named: ctl.every((c) => (c.getAttribute('aria-label') || c.textContent.trim() || (c.closest('label') && c.closest('label').textContent.trim()))),
            sort_labelled: !!sel && !!sel.closest('label'),
            focusable: root.activeElement === bars[0],
            clickables_are_controls: [...root.querySelectorAll('*')].every((e) => !e.hasAttribute('onclick')),
        };
    };

    /* The two-widget page: render, then "Show more", a histogram filter,
     * the sort menu, "Read more" and a vote on the first widget. */
    const widgets = async (cfg) => {
        for (const w of cfg.widgets) {
            const root = await rendered(w.id, w.nth);
            res[w.key] = root ? summary(root) : null;
        }
        const root = host(cfg.drive).shadowRoot;
        const d = (res.drive = {});
        d.a11y = a11y(root);

        d.before = items(root).length;
        root.querySelector('.cw-show-more').click();
        await until(() => items(root).length > d.before);
        await sleep(200);
        d.after_more = items(root).length;
        d.ids_after_more = items(root).map((li) => li.id);
        d.focus_after_more = root.activeElement === items(root)[d.before];

        const fold = root.querySelector('.cw-more');
        d.fold = fold ? {
            expanded0: fold.getAttribute('aria-expanded'),
            len0: fold.previousElementSibling.textContent.length,
        } : null;
        if (fold) {
            fold.click();
            d.fold.expanded1 = fold.getAttribute('aria-expanded');
            d.fold.len1 = fold.previousElementSibling.textContent.length;
        }

        const bar = root.querySelector('.cw-bar[data-rating="' + cfg.filter + '"]');
        bar.click();
        await sleep(300);
        d.filter = {
            pressed: bar.getAttribute('aria-pressed'),
            others_pressed: [...root.querySelectorAll('.cw-bar[aria-pressed=true]')].length,
            listed: items(root).length,
            stars: items(root).map(starsOf),
            all_shown: shown(root, '.cw-filter-all'),
            pair_shown: pairShown(root),
        };
        root.querySelector('.cw-filter-all').click();
        await sleep(300);
        d.unfiltered = {
            listed: items(root).length,
            pressed: root.querySelectorAll('.cw-bar[aria-pressed=true]').length,
            pair_shown: pairShown(root),
        };

        const sel = root.querySelector('select.cw-sort');
        sel.value = 'lowest';
        sel.dispatchEvent(new Event('change'));
        await sleep(300);
        d.lowest = items(root).map(starsOf);
        sel.value = 'newest';
        sel.dispatchEvent(new Event('change'));
        await sleep(300);

        /* Vote "yes" on the first review; then try again. */
        const li = items(root)[0];
        const yes = li.querySelector('.cw-vote[data-helpful=true]');
        const no = li.querySelector('.cw-vote[data-helpful=false]');
        const v = (d.vote = { id: li.id, yes0: num(yes.textContent), no0: num(no.textContent) });
        yes.focus();
        yes.click();
        v.yes_optimistic = num(yes.textContent);
        await sleep(300);
        v.yes1 = num(yes.textContent);
        v.pressed = yes.getAttribute('aria-pressed');
        v.msg = text(li, '.cw-vote-msg');
        v.focus_kept = root.activeElement === yes;
        yes.click();
        no.click();
        await sleep(300);
        v.yes2 = num(yes.textContent);
        v.no2 = num(no.textContent);
        try {
            v.stored = localStorage.getItem('chorus-vote:' + cfg.origin + ':' + li.id.replace('review-', ''));
        } catch (e) {
            v.stored = 'no storage';
        }
    };

    /* scan lists what in root is markup or script that review data could
     * have smuggled in: elements that run or load things, event-handler
     * attributes, URLs not from chorusd. */
    const scan = (root, origin) => {
        const bad = [];
        for (const e of root.querySelectorAll('*')) {
            const tag = e.tagName.toLowerCase();
            if (tag === 'link' ? e.getAttribute('href') !== origin + '/widget/widget.css'
                : /^(script|img|svg|iframe|object|embed|style|math|form|input|base|meta|frame|video|audio|source|template|b)$/.test(tag)) bad.push(tag);
            for (const a of e.attributes) {
                if (/^on/i.test(a.name) || a.name === 'data-pwned' || a.name === 'style') bad.push(tag + '@' + a.name);
                if (/^(href|src|action|formaction|xlink:href|srcset|poster|cite)$/i.test(a.name) && !a.value.startsWith(origin + '/')) bad.push(tag + '@' + a.name + '=' + a.value.slice(0, 40));
            }
        }
        return bad;
    };

    /* The hostile page: the widget of a product whose reviews are payloads. */
    const hostile = async (cfg) => {
        const root = await rendered(cfg.product);
        if (!root) throw new Error('hostile widget did not render');
        root.querySelectorAll('.cw-more').forEach((b) => b.click());
        await sleep(1000); /* image errors and SVG loads, had any been created */
        const all = [...root.querySelectorAll('*')];
        const txt = root.textContent + ' ' + all.map((e) => e.getAttribute('aria-label') || '').join(' ');
        res.hostile = {
            listed: items(root).length,
            present: cfg.payloads.map((p) => txt.includes(p)),
            injected: scan(root, cfg.origin),
            dir_auto: [...root.querySelectorAll('.cw-author, .cw-title, .cw-text')].every((e) => e.getAttribute('dir') === 'auto'),
        };
    };

    /* The framing page: /widget/{id}.html in an iframe; only postMessage
     * can tell us (cross-origin) that something ran inside. */
    const frame = async () => {
        const f = document.querySelector('iframe');
        res.frame = { loaded: !!(await until(() => f.dataset.loaded)) };
        await sleep(1500);
    };

    try {
        const cfg = await (await fetch('/config.json')).json();
        /* none: a page for screenshots and cdp.js, which look for themselves. */
        await { widgets, hostile, frame, none: async () => {} }[cfg.scenario](cfg);
    } catch (e) {
        res.errors.push(String((e && e.stack) || e));
    }
    await sleep(300);
    res.pwned = window.__pwned === undefined ? null : String(window.__pwned);
    res.html_pwned = document.documentElement.getAttribute('data-pwned');
    document.getElementById('result').textContent =
        JSON.stringify(res).replace(/[<>&]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
})();
