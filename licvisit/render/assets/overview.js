(function(){
  var map = %(map)s, D = %(data)s;
  var zonesLayer = %(zones)s, premLayer = %(premises)s, crewLayers = [%(crews)s];
  var colours = D.bandColours;
  // lv:zones.js
  var canvas = L.canvas({padding: 0.5});
  var radius = {A: 8, B: 6, C: 5, D: 4};
  D.premises.forEach(function(p){
    // p = [lat, lon, band, escaped name, rank]
    var band = p[2];
    L.circleMarker([p[0], p[1]], {renderer: canvas, radius: radius[band] || 4, color: '#000', weight: 1,
      fillColor: colours[band] || '#607d8b', fillOpacity: 0.9})
      .bindPopup('<b>' + p[3] + '</b><br>Risk band ' + (band || 'not ranked') + (p[4] ? ', rank ' + p[4] : ''))
      .addTo(premLayer);
  });
  D.crews.forEach(function(c, i){
    var layer = crewLayers[i];
    if (c.route.length > 1) {
      L.polyline(c.route, {color: '#000', weight: 7, opacity: 0.5}).addTo(layer);
      L.polyline(c.route, {color: c.colour, weight: 4, opacity: 0.95}).addTo(layer);
    }
    c.stops.forEach(function(s){
      L.marker([s.lat, s.lon], {icon: L.divIcon({className: 'lv-stop', iconSize: [26, 26],
        html: '<div class="lv-stop-icon lv-stop-small' + (s.done ? ' lv-done' : '') + '" style="background:' + c.colour +
          (s.done ? ';border-color:#30d158;box-shadow:0 0 0 3px #30d158' : '') + '">' + (s.done ? '✓' : s.n) + '</div>'})})
        .bindPopup(s.popup, {maxWidth: 320}).addTo(layer);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('button[data-night]'), function(b){
    b.addEventListener('click', function(){
      var n = b.getAttribute('data-night');
      D.crews.forEach(function(c, i){
        if (n === 'all' || c.night === n) { map.addLayer(crewLayers[i]); } else { map.removeLayer(crewLayers[i]); }
      });
      // zoom to the stops of the night shown
      var pts = [];
      D.crews.forEach(function(c){
        if (n === 'all' || c.night === n) c.stops.forEach(function(s){ pts.push([s.lat, s.lon]); });
      });
      if (pts.length) map.fitBounds(L.latLngBounds(pts), {padding: [40, 40], maxZoom: 17, animate: false});
    });
  });
})();
