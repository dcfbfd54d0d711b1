// The portfolio analysis page's plotly.js: the fitted response surface (surface) with the
// observed rounds and the lines of congruence and incongruence (scatter3d) in one 3D scene.
// scatter comes with plotly.js/lib/core (listed all the same, as plotly.js asks of custom
// bundles).
'use strict';

var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/scatter'),
    require('plotly.js/lib/surface'),
    require('plotly.js/lib/scatter3d'),
]);

module.exports = Plotly;
