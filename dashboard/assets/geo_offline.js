/* The SVG maps (plotly's geo: the coverage map drawn by township) draw our own township shapes
   only, never plotly's world map, whose outlines plotly would fetch from its CDN (blocked here:
   no network, and the page's content security policy). An empty world is registered instead, so
   plotly finds it and fetches nothing. */
window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
window.PlotlyGeoAssets.topojson.world_110m = window.PlotlyGeoAssets.topojson.world_110m
    || {type: "Topology", objects: {}, arcs: []};
