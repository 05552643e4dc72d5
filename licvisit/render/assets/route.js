(function(){
  var map = %(map)s, D = %(data)s;
  var zonesLayer = %(zones)s, routeLayer = %(route)s, stopsLayer = %(stops)s;
  // lv:zones.js
  if (D.route.length > 1) {
    L.polyline(D.route, {color: '#000', weight: 9, opacity: 0.6}).addTo(routeLayer);
    L.polyline(D.route, {color: '#00e5ff', weight: 5, opacity: 0.95}).addTo(routeLayer);
  }
  if (D.base) {
    L.marker([D.base.lat, D.base.lon], {icon: L.divIcon({className: 'lv-base', iconSize: [36, 36],
      html: '<div class="lv-base-icon">B</div>'}), zIndexOffset: -100})
      .bindTooltip(D.base.label, {className: 'lv-label', direction: 'left', offset: [-18, 0]})
      .addTo(routeLayer);
  }
  var markers = {};
  D.stops.forEach(function(s){
    var icon = L.divIcon({className: 'lv-stop', iconSize: [40, 40], iconAnchor: [20, 20], popupAnchor: [0, -18],
      html: '<div class="lv-stop-icon" data-stop="' + s.n + '">' + s.n + '</div>'});
    var mk = L.marker([s.lat, s.lon], {icon: icon, riseOnHover: true, zIndexOffset: 1000 - s.n})
      .bindPopup(s.card, {maxWidth: 380, minWidth: 260, autoPanPadding: [24, 24]})
      .bindTooltip(s.label, {permanent: true, direction: 'right', offset: [20, 0], className: 'lv-label'});
    mk.addTo(stopsLayer);
    markers[s.n] = mk;
  });
  var show = function(n){
    var mk = markers[n]; if (!mk) return;
    map.setView(mk.getLatLng(), Math.max(map.getZoom(), 17), {animate: false});
    mk.openPopup();
  };
  Array.prototype.forEach.call(document.querySelectorAll('button[data-goto]'), function(b){
    b.addEventListener('click', function(){ show(b.getAttribute('data-goto')); });
  });
  var pb = document.getElementById('lv-print');
  if (pb) pb.addEventListener('click', function(){ window.print(); });
  var opened = [];
  window.addEventListener('beforeprint', function(){
    opened = [];
    Array.prototype.forEach.call(document.querySelectorAll('details.lv-more'), function(d){
      if (!d.open) { d.open = true; opened.push(d); }
    });
  });
  window.addEventListener('afterprint', function(){ opened.forEach(function(d){ d.open = false; }); });
  var h = /^#stop-([0-9]+)$/.exec(window.location.hash);
  if (h) show(h[1]);
})();
