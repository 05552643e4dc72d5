// Draw embedded street lines under the stops, and their names along them at street zoom.
// Expects window.LV_STREETS = {lines: [[name, major, [lat, lon, ...]]], names, labels: [[name, lat, lon, angle]],
// attribution} and window.LV_MAP.  Names are set with textContent, never as markup.
(function(){
  var S = window.LV_STREETS, map = window.LV_MAP;
  if (!S || !map) return;
  var LABEL_ZOOM = 16;
  map.createPane('lvStreets').style.zIndex = 350;
  var lp = map.createPane('lvStreetLabels');
  lp.style.zIndex = 380; lp.style.pointerEvents = 'none';
  var renderer = L.canvas({pane: 'lvStreets', padding: 0.5});
  var streets = L.layerGroup(), names = L.layerGroup();
  S.lines.forEach(function(l){
    var c = l[2], pts = [];
    for (var i = 0; i + 1 < c.length; i += 2) pts.push([c[i], c[i + 1]]);
    L.polyline(pts, {renderer: renderer, pane: 'lvStreets', interactive: false,
      color: l[1] ? '#8a96a3' : '#5c6773', weight: l[1] ? 6 : 4, opacity: 0.9}).addTo(streets);
  });
  S.labels.forEach(function(t){
    var span = document.createElement('span');
    span.className = 'lv-street-name';
    span.textContent = S.names[t[0]];
    span.style.transform = 'translate(-50%, -50%) rotate(' + t[3] + 'deg)';
    L.marker([t[1], t[2]], {pane: 'lvStreetLabels', interactive: false, keyboard: false,
      icon: L.divIcon({className: 'lv-street-label', html: span, iconSize: [0, 0]})}).addTo(names);
  });
  var st = document.createElement('style');
  st.textContent = '.lv-street-label{background:none;border:0}' +
    '.lv-street-name{position:absolute;white-space:nowrap;color:#e6edf3;font:600 13px system-ui,Arial,sans-serif;' +
    'text-shadow:0 0 3px #000,0 0 3px #000,0 0 2px #000;letter-spacing:.02em}';
  document.head.appendChild(st);
  streets.addTo(map);
  function labelsForZoom(){
    if (map.getZoom() >= LABEL_ZOOM) { if (!map.hasLayer(names)) names.addTo(map); }
    else if (map.hasLayer(names)) map.removeLayer(names);
  }
  map.on('zoomend', labelsForZoom);
  labelsForZoom();
  var ctl = map.attributionControl || L.control.attribution({prefix: false}).addTo(map);
  ctl.addAttribution(S.attribution);
})();
