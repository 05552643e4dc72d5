  if (D.zones) {
    L.geoJSON(D.zones, {interactive: false, style: function(){
      return {color: '#ffd60a', weight: 3, dashArray: '8 6', fillColor: '#ffd60a', fillOpacity: %(zone_fill)s};
    }}).addTo(zonesLayer);
    D.zones.features.forEach(function(f){
      L.tooltip({permanent: true, direction: 'center', className: 'lv-zone-label', interactive: false})
        .setLatLng([f.properties.lat, f.properties.lon]).setContent(f.properties.name).addTo(zonesLayer);
    });
  }
