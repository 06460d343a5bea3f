/* Chorus review widget, script embed. Markup contract: web/README.md.
 *
 *   <div data-chorus-product="SKU" data-chorus-limit="5" data-chorus-sort="newest"
 *        data-chorus-theme="light" data-chorus-lang="fr"></div>
 *   <script src="https://chorus.example/widget/embed.js" async></script>
 *
 * Safety: every string from the API enters the DOM through textContent or
 * setAttribute of a non-URL attribute. The only URLs written (the Atom link,
 * the stylesheet) are built here from this script's own origin, never from
 * data. Nothing may break the host page: each widget's work is wrapped, and
 * every promise and event handler ends in a catch.
 * Isolation: each widget renders into an open shadow root (or, where an
 * element cannot have one, into the element itself; every class is cw-
 * prefixed) with widget.css linked inside it.
 */
(() => {
    'use strict';
    /* chorusd replaces the marker below with {"en": {key: text}, "fr": ...}
     * from feeds/i18n.c, the one source of UI strings. */
    const I18N = /*CHORUS_I18N*/null || {};
    const LANGS = ['en', 'fr', 'de', 'es', 'pt'];
    const SORTS = ['newest', 'oldest', 'highest', 'lowest', 'helpful'];
    const FOLD = 600;   /* bodies longer than FOLD + 100 are folded near FOLD */
    const PAIR_MIN = 10; /* rated reviews before the positive/critical pair shows */
    const noop = () => {};
    const seen = new WeakSet();

    /* The API lives where this script came from. document.currentScript is
     * null in modules and after the first run, hence the search. */
    let ORIGIN = '';
    try {
        const me = document.currentScript ||
            [...document.querySelectorAll('script[src]')].find((s) => /\/widget\/embed\.js([?#]|$)/.test(s.src));
        const u = new URL(me.src);
        if (/^https?:$/.test(u.protocol)) ORIGIN = u.origin;
    } catch (e) { /* no usable src: no widgets */ }

    const el = (tag, cls, text) => {
        const e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text != null) e.textContent = text;
        return e;
    };
    /* Only ever called with names that are not URL attributes. */
    const attrs = (e, a) => {
        for (const k in a) e.setAttribute(k, a[k]);
        return e;
    };
    /* User text: dir=auto isolates it, so an RTL override cannot flip what follows. */
    const utext = (tag, cls, text) => attrs(el(tag, cls, text), { dir: 'auto' });
    const button = (cls, text) => attrs(el('button', cls, text), { type: 'button' });
    const on = (e, type, fn) => e.addEventListener(type, (ev) => {
        try {
            Promise.resolve(fn(ev)).catch(noop);
        } catch (x) { /* never into the host page */ }
    });
    const fill = (s, v) => (v ? s.replace(/\{(\w+)\}/g, (m, k) => (k in v ? String(v[k]) : m)) : s);

    /* localStorage throws when disabled (privacy modes, sandboxed frames) or full. */
    const store = (k, v) => {
        try {
            if (v === undefined) return localStorage.getItem(k);
            if (v === null) localStorage.removeItem(k);
            else localStorage.setItem(k, v);
        } catch (e) { /* a vote is then remembered by the server only */ }
        return null;
    };

    const api = (path, q) => {
        const u = new URL(ORIGIN + path);
        for (const k in q || {}) if (q[k]) u.searchParams.set(k, q[k]);
        return fetch(u, { credentials: 'omit' }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status))));
    };

    async function mount(host) {
        const id = host.getAttribute('data-chorus-product');
        if (!id || seen.has(host) || host.shadowRoot) return;
        seen.add(host);
        const d = host.dataset;
        const want = String(d.chorusLang || navigator.language || '').slice(0, 2).toLowerCase();
        const lang = LANGS.includes(want) ? want : 'en';
        const S = I18N[lang] || {}, EN = I18N.en || {};
        const raw = (k) => S[k] || EN[k] || k;
        const t = (k, v) => fill(raw(k), v);
        const num = new Intl.NumberFormat(lang);
        const one = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
        const day = new Intl.DateTimeFormat(lang, { dateStyle: 'medium' });
        /* The parameters as /widget/{id}.html takes them (docs/widget.md):
         * anything else is the embedder's mistake, told in the console. */
        const bad = [];
        if (d.chorusLimit !== undefined && !(/^[0-9]+$/.test(d.chorusLimit) && +d.chorusLimit >= 1 && +d.chorusLimit <= 50)) bad.push('data-chorus-limit must be a whole number from 1 to 50');
        if (d.chorusSort !== undefined && !SORTS.includes(d.chorusSort)) bad.push('data-chorus-sort must be one of ' + SORTS.join(', '));
        if (d.chorusTheme !== undefined && !['light', 'dark'].includes(d.chorusTheme)) bad.push('data-chorus-theme must be light or dark');
        const limit = d.chorusLimit === undefined ? 5 : +d.chorusLimit;
        const base = '/api/v1/products/' + encodeURIComponent(id);
        let sort = d.chorusSort || 'newest';
        let rating = 0, cursor = null, gen = 0, shown = 0, brand = '', paired = false;

        let root;
        try {
            root = host.attachShadow({ mode: 'open' });
        } catch (e) {
            root = host; /* elements such as <a> or <p> cannot host a shadow root */
        }
        const w = attrs(el('div', d.chorusTheme === 'dark' ? 'cw cw-dark' : 'cw'),
            { lang, 'data-product': id, role: 'region' });
        const live = attrs(el('p', 'cw-sr'), { 'aria-live': 'polite' });
        const css = attrs(el('link'), { rel: 'stylesheet' });
        css.href = ORIGIN + '/widget/widget.css';
        /* Unstyled content would flash: stay hidden until the styles load (or fail). */
        w.hidden = true;
        const reveal = () => { w.hidden = false; };
        css.onload = css.onerror = reveal;
        setTimeout(reveal, 3000);
        w.append(live, el('p', 'cw-loading', t('loading')));
        root.replaceChildren(css, w);
        /* A heading between the host page's own and the reviews' h3 titles. */
        const heading = el('h2', 'cw-sr', t('reviews'));

        const countText = (n) => t(n === 1 ? 'review_count_one' : 'review_count_many', { n: num.format(n) });
        const stars = (v, label) => {
            const n = Math.max(0, Math.min(5, Math.round(v)));
            return attrs(el('span', 'cw-stars', '★'.repeat(n) + '☆'.repeat(5 - n)), { role: 'img', 'aria-label': label });
        };
        const time = (s) => {
            const x = new Date(s);
            return isNaN(x) ? null : attrs(el('time', 'cw-date', day.format(x)), { datetime: x.toISOString() });
        };

        const body = (s) => {
            const box = el('div', 'cw-body'), p = utext('p', 'cw-text', s);
            box.append(p);
            /* A hundred characters of slack: folding away three words helps nobody. */
            if (s.length <= FOLD + 100) return box;
            let cut = s.lastIndexOf(' ', FOLD);
            if (cut < FOLD - 100) cut = FOLD;
            if (/[\ud800-\udbff]/.test(s[cut - 1])) cut--; /* never split a surrogate pair */
            const short = s.slice(0, cut).trimEnd() + '…', b = button('cw-more');
            let open = false;
            const set = () => {
                p.textContent = open ? s : short;
                b.textContent = t(open ? 'read_less' : 'read_more');
                b.setAttribute('aria-expanded', String(open));
            };
            on(b, 'click', () => { open = !open; set(); });
            set();
            box.append(b);
            return box;
        };

        /* Helpful votes: one per browser and review (localStorage), the count
         * updated at once and corrected by the server's answer. aria-disabled
         * rather than disabled, so keyboard focus stays on the button. */
        const votes = (r) => {
            const box = el('div', 'cw-votes'), key = 'chorus-vote:' + ORIGIN + ':' + r.id;
            const n = [r.not_helpful || 0, r.helpful || 0];
            const msg = attrs(el('span', 'cw-vote-msg'), { role: 'status' });
            const btn = [0, 1].map((i) => attrs(button('cw-vote'), { 'data-helpful': String(!!i), 'aria-pressed': 'false' }));
            const paint = () => btn.forEach((b, i) => {
                const s = raw(i ? 'yes' : 'no'), c = num.format(n[i]);
                b.textContent = s.includes('{n}') ? fill(s, { n: c }) : s + ' (' + c + ')';
            });
            const lock = (i, text) => {
                btn.forEach((b, j) => attrs(b, { 'aria-disabled': String(i >= 0), 'aria-pressed': String(i === j) }));
                msg.textContent = text;
            };
            btn.forEach((b, i) => on(b, 'click', async () => {
                if (b.getAttribute('aria-disabled') === 'true') return;
                n[i]++;
                paint();
                lock(i, t('thanks_vote'));
                store(key, String(i));
                try {
                    const res = await fetch(ORIGIN + '/api/v1/reviews/' + encodeURIComponent(r.id) + '/votes', {
                        method: 'POST', credentials: 'omit',
                        headers: { 'Content-Type': 'application/json' },
                        body: JSON.stringify({ helpful: !!i }),
                    });
                    if (res.status === 429) { /* this address voted already */
                        n[i]--;
                        msg.textContent = t('already_voted');
                    } else if (!res.ok) {
                        throw new Error(res.status);
                    } else {
                        const c = await res.json();
                        if (Number.isFinite(c.helpful) && Number.isFinite(c.not_helpful)) {
                            n[0] = c.not_helpful;
                            n[1] = c.helpful;
                        }
                    }
                } catch (e) {
                    n[i]--;
                    store(key, null);
                    lock(-1, t('error'));
                }
                paint();
            }));
            paint();
            const prior = store(key);
            if (prior === '0' || prior === '1') lock(+prior, t('already_voted'));
            box.append(el('span', 'cw-helpful-q', t('helpful_q')), ' ', btn[1], ' ', btn[0], ' ', msg);
            return box;
        };

        const review = (r, tag, heading) => {
            const li = el(tag, 'cw-review'), head = el('div', 'cw-review-head'), meta = el('div', 'cw-meta');
            if (tag === 'li') li.id = 'review-' + r.id;
            if (heading) li.append(el('h3', 'cw-pair-title', heading));
            head.append(r.rating ? stars(r.rating, t('rating_label', { n: r.rating })) : el('span', 'cw-mention', t('mention')));
            if (r.title) head.append(' ', utext('h3', 'cw-title', r.title));
            if (r.verified) head.append(' ', el('span', 'cw-verified', t('verified')));
            li.append(head);
            if (r.body) li.append(body(r.body));
            meta.append(utext('span', 'cw-author', r.author || t('anonymous')));
            const when = time(r.created_at);
            if (when) meta.append(' · ', when);
            li.append(meta);
            if (r.responses && r.responses.length) {
                const box = el('div', 'cw-responses');
                for (const x of r.responses) {
                    const q = el('blockquote', 'cw-response'), at = new Date(x.created_at);
                    /* U+2068..U+2069 isolate the name, as <bdi> does on the server:
                     * an RTL override in it cannot reverse the rest of the line. */
                    q.append(utext('p', 'cw-response-by', t('response_from', { author: '\u2068' + (x.author || brand) + '\u2069', date: isNaN(at) ? '' : day.format(at) })),
                        utext('p', 'cw-response-text', x.body));
                    box.append(q);
                }
                li.append(box);
            }
            li.append(votes(r));
            return li;
        };

        /* ---- skeleton: summary, pair, controls, list, paging, states ---- */
        const sum = el('div', 'cw-summary'), avg = el('div', 'cw-average'), hist = el('ol', 'cw-hist');
        const pair = el('div', 'cw-pair'), ctr = el('div', 'cw-controls'), list = el('ol', 'cw-list');
        const more = button('cw-show-more', t('show_more'));
        const empty = el('p', 'cw-empty'), err = el('p', 'cw-error', t('error'));
        const fbox = el('div', 'cw-filter'), ftext = el('span', 'cw-filter-text'), fall = button('cw-filter-all', t('filter_all'));
        const sel = el('select', 'cw-sort'), lab = el('label', 'cw-sort-label');
        const feed = el('a', 'cw-feed', t('feed'));
        feed.href = ORIGIN + '/feeds/products/' + encodeURIComponent(id) + '.atom';
        feed.type = 'application/atom+xml';
        const bars = [];
        pair.hidden = more.hidden = empty.hidden = err.hidden = fbox.hidden = true;

        /* load fetches the first page (or, with next, the page after) for
         * the current sort and filter. gen drops answers a newer click has
         * made stale. */
        const load = async (next) => {
            const my = ++gen;
            live.textContent = t('loading');
            more.disabled = true;
            let page;
            try {
                page = await api(base + '/reviews', { sort, limit, rating, cursor: next && cursor });
            } catch (e) {
                if (my === gen) {
                    err.hidden = false;
                    more.disabled = false;
                    live.textContent = t('error');
                }
                return;
            }
            if (my !== gen) return;
            const items = (page.reviews || []).map((r) => review(r, 'li'));
            if (!next) {
                list.replaceChildren();
                shown = 0;
            }
            list.append(...items);
            shown += items.length;
            cursor = page.next_cursor || null;
            err.hidden = true;
            more.hidden = !cursor;
            more.disabled = false;
            empty.hidden = shown > 0;
            empty.textContent = t(rating ? 'no_match' : 'no_reviews');
            live.textContent = (rating ? t('filter_showing', { n: rating }) + '. ' : '') + countText(shown);
            /* "Show more" may vanish under the keyboard: continue at the first new review. */
            if (next && items[0]) {
                items[0].tabIndex = -1;
                items[0].focus();
            }
        };

        const filter = (r) => {
            rating = r;
            bars.forEach((b) => b.setAttribute('aria-pressed', String(+b.dataset.rating === r)));
            fbox.hidden = !r;
            pair.hidden = !paired || !!r; /* the pair belongs to the unfiltered list */
            ftext.textContent = r ? t('filter_showing', { n: r }) : '';
            return load();
        };

        const show = async (p) => {
            const st = p.stats || {}, count = st.count || 0, h = st.histogram || [];
            brand = p.brand || p.name || '';
            w.setAttribute('aria-label', t('reviews_of', { name: p.name || id }));

            if (count) avg.append(stars(st.average, t('out_of_5', { avg: one.format(st.average) })), ' ', el('span', 'cw-avg', one.format(st.average)), ' ');
            avg.append(el('span', 'cw-count', count ? countText(count) : t('no_ratings')));
            sum.append(avg);
            for (let r = 5; r >= 1 && count; r--) {
                const c = h[r - 1] || 0, pct = Math.round((100 * c) / count);
                /* Named by what it shows ("5 stars 740") and a share only
                 * screen readers hear: speech input works by the visible
                 * text (WCAG 2.5.3). */
                const b = attrs(el('button', 'cw-bar'), { type: 'button', 'data-rating': r, 'aria-pressed': 'false' });
                const track = attrs(el('span', 'cw-bar-track'), { 'aria-hidden': 'true' });
                track.append(el('span', 'cw-bar-fill cw-w' + (c && !pct ? 1 : pct))); /* a bar with reviews shows */
                b.append(el('span', 'cw-bar-label', t(r === 1 ? 'stars_one' : 'stars_n', { n: r })), ' ', track, ' ',
                    el('span', 'cw-bar-n', num.format(c)), el('span', 'cw-sr', ', ' + t('histogram_share', { pct })));
                on(b, 'click', () => filter(rating === r ? 0 : r));
                bars.push(b);
                const li = el('li');
                li.append(b);
                hist.append(li);
            }
            hist.setAttribute('aria-label', t('histogram_label'));
            if (count) sum.append(hist);

            for (const s of SORTS) {
                const o = el('option', null, t('sort_' + s));
                o.value = s;
                o.selected = s === sort;
                sel.append(o);
            }
            on(sel, 'change', () => { sort = sel.value; return load(); });
            on(fall, 'click', () => filter(0));
            on(more, 'click', () => load(true));
            lab.append(el('span', null, t('sort_label')), ' ', sel);
            fbox.append(ftext, ' ', fall);
            ctr.append(lab, fbox);

            if (!count && !st.mentions) {
                empty.textContent = t('no_reviews');
                empty.hidden = false;
                w.replaceChildren(heading, live, empty, el('p', 'cw-empty-hint', t('be_first')), feed);
                live.textContent = t('no_reviews');
                return;
            }
            w.replaceChildren(heading, live, sum, pair, ctr, list, more, empty, err, feed);
            /* The pair is two one-review pages: the most helpful 4-5 and 1-3 star reviews. */
            const top = (ratings) => (count >= PAIR_MIN
                ? api(base + '/reviews', { sort: 'helpful', rating: ratings, limit: 1 }).then((x) => (x.reviews || [])[0], noop)
                : null);
            const [good, bad] = await Promise.all([top('4,5'), top('1,2,3'), load()]);
            if (good && bad) {
                pair.append(review(good, 'div', t('top_positive')), review(bad, 'div', t('top_critical')));
                paired = true;
                pair.hidden = !!rating;
            }
        };

        if (bad.length) {
            /* As the iframe does: a quiet link to the product's own page for
             * the reader, the detail for the embedder. */
            try {
                console.warn('Chorus widget for product "' + id + '": ' + bad.join('; ') + '.', host);
            } catch (e) { /* no console */ }
            const p = el('p', 'cw-fallback'), a = el('a', null, t('read_reviews'));
            a.href = ORIGIN + '/p/' + encodeURIComponent(id);
            p.append(a);
            w.replaceChildren(heading, live, err, p);
            err.hidden = false;
            return;
        }
        try {
            await show(await api(base));
        } catch (e) { /* unknown product, unreachable API, or data we cannot show */
            w.replaceChildren(heading, live, err);
            err.hidden = false;
            live.textContent = '';
        }
    }

    const run = () => {
        if (!ORIGIN) return;
        for (const host of document.querySelectorAll('[data-chorus-product]')) {
            try {
                mount(host).catch(noop);
            } catch (e) { /* one broken widget must not stop the others */ }
        }
    };
    try {
        run();
        /* An async script can run before the rest of the page is parsed. */
        if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => { try { run(); } catch (e) { /* quiet */ } });
    } catch (e) { /* quiet */ }
})();
