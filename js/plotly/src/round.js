// The round pages' plotly.js: the results page and its printed report (the mirror radar,
// scatterpolar, and the gap bars, bar), a partner's timeline (scatter on a date axis) and
// the portfolio page (scatter with a colour bar and shapes). Annotations, shapes, the colour
// bar and the legend come with plotly.js/lib/core, as does scatter (listed all the same, as
// plotly.js asks of custom bundles).
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/scatterpolar'),
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scatter'),
]);

module.exports = Plotly;
