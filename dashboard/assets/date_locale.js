/* The calendar of Dash's date picker names months and weekdays in the locale it finds in
   window.dateFns.locale (date-fns' locale shape; its first entry is used). Chinese pages get the
   names below; English pages (?lang=en, written by url_sync.js) none, i.e. date-fns' English.
   Only what a calendar formats is defined: numbers are typed and shown as yyyy-mm-dd. */
(function () {
    var WEEKDAYS = {narrow: ['日', '一', '二', '三', '四', '五', '六'],
                    short: ['日', '一', '二', '三', '四', '五', '六'],
                    abbreviated: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
                    wide: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六']};
    var MONTHS = ['一月', '二月', '三月', '四月', '五月', '六月', '七月', '八月', '九月', '十月', '十一月', '十二月'];
    function width(options) { return (options && options.width) || 'wide'; }
    var zhCN = {
        code: 'zh-CN',
        localize: {
            ordinalNumber: function (n) { return String(n); },
            era: function (n) { return ['公元前', '公元'][n]; },
            quarter: function (n) { return '第' + ['一', '二', '三', '四'][n] + '季度'; },
            month: function (n, options) {
                return width(options) === 'wide' ? MONTHS[n] : width(options) === 'narrow' ? MONTHS[n].slice(0, -1) : (n + 1) + '月';
            },
            day: function (n, options) { return WEEKDAYS[width(options)][n]; },
            dayPeriod: function (period) { return period === 'am' ? '上午' : '下午'; }
        },
        formatLong: {date: function () { return 'y-MM-dd'; }, time: function () { return 'HH:mm'; },
                     dateTime: function () { return '{{date}} {{time}}'; }},
        formatDistance: function (token, count) { return String(count); },
        formatRelative: function () { return 'P'; },
        options: {weekStartsOn: 1, firstWeekContainsDate: 4}
    };
    window.dateFns = Object.assign({}, window.dateFns);
    Object.defineProperty(window.dateFns, 'locale', {
        configurable: true,
        get: function () {
            return new URLSearchParams(window.location.search).get('lang') === 'en' ? {} : {zhCN: zhCN};
        }
    });
})();
