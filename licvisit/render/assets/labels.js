// Keep stop labels readable: a permanent label that would overlap an earlier stop's label
// is hidden (the numbered disc stays), and shown again when zooming in makes room.
(function(){
  var map = window.LV_MAP;
  if (!map) return;
  function overlaps(a, b){ return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top; }
  function declutter(){
    var tips = Array.prototype.slice.call(document.querySelectorAll('.leaflet-tooltip.lv-label'));
    var shown = [];
    tips.forEach(function(t){ t.style.visibility = ''; });
    tips.forEach(function(t){
      var r = t.getBoundingClientRect();
      if (shown.some(function(q){ return overlaps(r, q); })) { t.style.visibility = 'hidden'; }
      else { shown.push(r); }
    });
  }
  map.on('zoomend moveend resize', declutter);
  declutter();
})();
