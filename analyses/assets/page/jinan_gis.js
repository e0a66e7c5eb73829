/* jinan-gis map page helper: draws the overlays (JINAN_GIS.polygons / .points), keeps the
   legend to the layers shown, switches the language and marks the map ready. Needs
   window.JINAN_GIS (the page's settings) and Leaflet. */
(function () {
  var G = window.JINAN_GIS;
  G.layers = {};
  G.readyMs = null;
  G.narrow = function () { return window.matchMedia('(max-width: 699px)').matches; };
  G.setLang = function (lang) {
    var root = document.documentElement;
    G.shownLang = lang;
    root.setAttribute('data-jg-lang', lang);
    root.lang = lang === 'en' ? 'en' : 'zh-CN';
    var b = document.querySelector('.jg-lang');
    if (b) { b.setAttribute('aria-pressed', lang === 'en' ? 'true' : 'false'); }
  };
  if (G.lang === 'zh-en') { G.setLang('zh'); }
  G.polygons = function (key, data, styles) {
    var layer = L.geoJSON(data, {
      style: function (f) { return styles[f.properties.s]; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (p.t) { l.bindTooltip(p.t, {sticky: true}); }
        if (p.p) { l.bindPopup(p.p, {maxWidth: 340}); }
      }
    });
    layer._jgKey = key;
    G.layers[key] = layer;
    return layer;
  };
  G.points = function (key, rows, icons, opts) {
    var made = icons.map(function (ic) {
      return L.divIcon({html: ic.html, className: 'jg-icon', iconSize: [ic.px, ic.px],
                        iconAnchor: [ic.px / 2, ic.px / 2], popupAnchor: [0, -ic.px / 2],
                        tooltipAnchor: [0, -ic.px / 2]});
    });
    var layer;
    if (opts.cluster) {
      layer = L.markerClusterGroup({
        showCoverageOnHover: false, maxClusterRadius: 40, disableClusteringAtZoom: 16,
        chunkedLoading: true,
        iconCreateFunction: function (c) {
          var n = c.getChildCount(), px = n < 10 ? 26 : (n < 100 ? 32 : 38);
          return L.divIcon({html: '<div style="background:' + opts.color + '">' + n + '</div>',
                            className: 'jg-cluster', iconSize: L.point(px, px)});
        }
      });
    } else {
      layer = L.featureGroup();
    }
    var markers = rows.map(function (r) {
      var m = L.marker([r[0], r[1]], {icon: made[r[2]], keyboard: false, riseOnHover: true,
                                      zIndexOffset: opts.z || 0});
      if (r[3]) { m.bindTooltip(r[3], {direction: 'top'}); }
      if (r[4]) { m.bindPopup(r[4], {maxWidth: 340}); }
      return m;
    });
    if (opts.cluster) { layer.addLayers(markers); }
    else { markers.forEach(function (m) { layer.addLayer(m); }); }
    layer._jgKey = key;
    G.layers[key] = layer;
    return layer;
  };
  // a legend section shows while one of its layers is on the map
  G.syncLegend = function () {
    if (!G.map) { return; }
    var secs = document.querySelectorAll('.jg-legend-sec');
    for (var i = 0; i < secs.length; i++) {
      var keys = (secs[i].getAttribute('data-layers') || '').split(' ').filter(Boolean);
      secs[i].hidden = keys.length > 0 && !keys.some(function (k) {
        return G.layers[k] && G.map.hasLayer(G.layers[k]);
      });
    }
  };
  function wirePage(map) {
    var lang = document.querySelector('.jg-lang');
    if (lang) {
      lang.addEventListener('click', function () {
        G.setLang(G.shownLang === 'en' ? 'zh' : 'en');
      });
    }
    var more = document.querySelector('.jg-title-more');
    if (more) {
      more.addEventListener('click', function () {
        var box = more.closest('.jg-title');
        box.classList.toggle('jg-open');
        more.setAttribute('aria-expanded', box.classList.contains('jg-open') ? 'true' : 'false');
      });
    }
    map.on('layeradd layerremove', function (e) { if (e.layer._jgKey) { G.syncLegend(); } });
    G.syncLegend();
  }
  G.markReady = function (map) {
    G.map = map;
    wirePage(map);
    requestAnimationFrame(function () {
      G.readyMs = performance.now();
      document.documentElement.setAttribute('data-map-ready', 'true');
    });
  };
})();
