/* Filters live in the URL query string. The shell's filters and every page control with an id
   {type: "param", name} are written to it here, without re-rendering the page; the back button
   restores them (the page is rendered again from the older URL). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    jiceng: {
        // a file kept on the server (dashboard/downloads.py): the browser downloads it from its link and
        // stays on the page (the answer is an attachment)
        followLink: function (link) {
            if (link && link.url) { window.location.assign(link.url); }
            return link && link.url ? link.url : "";
        },
        // a phone's screen (the width at which the pages' cards stack, as in the grids' renderers)
        isPhone: function () {
            return window.matchMedia('(max-width: 575.98px)').matches;
        },
        // the phone's menu button opens and closes the navigation; opening another page closes it
        toggleNav: function (clicks, pathname, isOpen) {
            var ctx = window.dash_clientside.callback_context;
            var trigger = ctx.triggered.length ? ctx.triggered[0].prop_id : "";
            return trigger.indexOf("shell-nav-toggler") === 0 ? !isOpen : false;
        },
        writeUrl: function (area, period, lang) {
            var ctx = window.dash_clientside.callback_context;
            var query = new URLSearchParams(window.location.search);
            var shared = new URLSearchParams();
            if (area && area !== "all") { shared.set("area", area); }
            if (period) { shared.set("period", period); }
            if (lang === "en") { shared.set("lang", "en"); }
            ["area", "period", "lang"].forEach(function (key) {
                if (shared.has(key)) { query.set(key, shared.get(key)); } else { query.delete(key); }
            });
            (ctx.inputs_list[3] || []).forEach(function (item) {
                var value = item.value;
                if (value === null || value === undefined || value === "") { query.delete(item.id.name); }
                else if (Array.isArray(value)) {
                    if (value.length) { query.set(item.id.name, value.join(",")); } else { query.delete(item.id.name); }
                }
                else { query.set(item.id.name, String(value)); }
            });
            var search = query.toString() ? "?" + query.toString() : "";
            if (search !== window.location.search) {
                window.history.pushState(null, "", window.location.pathname + search);
            }
            var sharedSearch = shared.toString() ? "?" + shared.toString() : "";
            var flipped = new URLSearchParams(query);
            if (lang === "en") { flipped.delete("lang"); } else { flipped.set("lang", "en"); }
            var flippedSearch = flipped.toString() ? "?" + flipped.toString() : "";
            // the nav links keep the shared filters; their paths are the links' own (see layout.NAV_PAGES)
            var navHrefs = ctx.outputs_list.slice(1).map(function (out) {
                var link = document.getElementById(out.id);
                return (link ? link.pathname : "/") + sharedSearch;
            });
            return [window.location.pathname + flippedSearch].concat(navHrefs);
        }
    }
});
