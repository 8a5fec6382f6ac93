/* Components the grids refer to by name (dash-ag-grid reads window.dashAgGridComponentFunctions). */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

/* An indicator column's name, led by an ⓘ opening its entry in the indicator dictionary. The grid's
   own header keeps sorting, filters and the menu (an inner header component); the link and its
   title come from components.with_indicator_header. */
dagcomponentfuncs.IndicatorHeaderName = function (props) {
    return React.createElement(
        'span', {className: 'indicator-header'},
        React.createElement('a', {href: props.infoHref, title: props.infoTitle, className: 'indicator-info'}, 'ⓘ'),
        React.createElement('span', {className: 'indicator-name'}, props.displayName)
    );
};

/* On a phone a grid's row is a card: every column's header and value, stacked, so no value hides
   past the screen's right edge (components.grid sets isFullWidthRow to phoneCardRow). The card
   measures itself whenever its size changes and gives the grid its height: wrapped reasons take
   what they need. */
var PHONE = window.matchMedia('(max-width: 575.98px)');
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
dagfuncs.phoneCardRow = function (params) {
    return PHONE.matches && !!(params.rowNode && params.rowNode.data);
};

/* A link column holds markdown written by the server ("[name](/facility/…)", "[ⓘ](/indicators?…) name"):
   its links become anchors (addresses of this site only), the rest stays text. */
function markdownLinks(text) {
    var parts = [], pattern = /\[([^\]]*)\]\(([^)\s]*)\)/g, last = 0, match, key = 0;
    while ((match = pattern.exec(text)) !== null) {
        if (match.index > last) { parts.push(text.slice(last, match.index)); }
        var href = match[2].charAt(0) === '/' && match[2].charAt(1) !== '/' ? match[2] : null;
        parts.push(href ? React.createElement('a', {href: href, key: 'a' + key++}, match[1]) : match[1]);
        last = pattern.lastIndex;
    }
    if (last < text.length) { parts.push(text.slice(last)); }
    return parts;
}

dagcomponentfuncs.RowCard = function (params) {
    var box = React.useRef(null);
    // the row takes the card's height, measured again whenever it changes (the row's final width,
    // a font arriving, a label wrapping): a height measured once cut the last lines off
    React.useEffect(function () {
        var card = box.current;
        if (!card) { return undefined; }
        var fit = function () {
            var height = Math.ceil(card.getBoundingClientRect().height) + 1;
            if (height > 1 && Math.abs(height - (params.node.rowHeight || 0)) > 1 && params.node.setRowHeight) {
                params.node.setRowHeight(height);
                params.api.onRowHeightChanged();
            }
        };
        fit();
        if (!window.ResizeObserver) { return undefined; }
        var watcher = new ResizeObserver(fit);
        watcher.observe(card);
        return function () { watcher.disconnect(); };
    }, []);
    var columns = params.api.getAllGridColumns().filter(function (column) {
        return !column.getColDef().hide && column.getColDef().field;
    });
    // the card's title: the row's first link (the facility, the indicator), else its name, else its first column
    var titled = columns.findIndex(function (column) { return column.getColDef().cellRenderer === 'markdown'; });
    [/^name$/, /_name$/].forEach(function (named) {
        if (titled < 0) { titled = columns.findIndex(function (column) { return named.test(column.getColDef().field); }); }
    });
    if (titled > 0) { columns.unshift(columns.splice(titled, 1)[0]); }
    // a grid whose rows are ticked (flags to confirm) keeps its tick box on the card
    var selectable = !!params.api.getGridOption('rowSelection');
    var ticked = React.useState(params.node.isSelected());
    React.useEffect(function () {
        if (!selectable) { return undefined; }
        var follow = function () { ticked[1](params.node.isSelected()); };
        params.node.addEventListener('rowSelected', follow);
        return function () { params.node.removeEventListener('rowSelected', follow); };
    }, [selectable]);
    var items = columns.map(function (column, index) {
        var def = column.getColDef();
        var value = params.api.getCellValue({rowNode: params.node, colKey: column, useFormatter: true});
        var shown = value === null || value === undefined || value === '' ? '—' : String(value);
        var content = def.cellRenderer === 'markdown' ? markdownLinks(shown)
            : def.cellRenderer === 'TownshipLink' ? townshipLink(shown, params.data.township_code, 'township') : shown;
        if (index === 0) {
            var tick = selectable ? React.createElement('input', {
                type: 'checkbox', className: 'form-check-input me-2 row-card-tick', checked: !!ticked[0],
                'aria-label': def.headerName || def.field,
                onChange: function (event) { params.node.setSelected(event.target.checked); }
            }) : null;
            return React.createElement('div', {className: 'row-card-title', key: def.field}, tick, content);
        }
        return React.createElement('div', {className: 'row-card-item', key: def.field},
            React.createElement('span', {className: 'row-card-label'}, def.headerName || def.field),
            React.createElement('span', {className: 'row-card-value'}, content));
    });
    return React.createElement('div', {className: 'row-card', ref: box}, items);
};

/* A township's name (a column of kind "township"): a link to its profile, from the row's
   township_code, in the page's language; the cell's value stays the name, so sorting, filters
   and exports see the name. */
function townshipLink(name, code, key) {
    if (!code || name === null || name === undefined || name === '') { return name; }
    var english = new URLSearchParams(window.location.search).get('lang') === 'en';
    var href = '/township/' + encodeURIComponent(code) + (english ? '?lang=en' : '');
    return React.createElement('a', {href: href, key: key}, String(name));
}
dagcomponentfuncs.TownshipLink = function (params) {
    return townshipLink(params.value, params.data && params.data.township_code, 'township');
};
