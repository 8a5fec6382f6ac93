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
