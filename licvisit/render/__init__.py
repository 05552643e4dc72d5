"""Render results: folium maps, HTML reports, charts. The only place folium is imported."""
