"""Write the broken and awkward input files used by tests/test_validate_messages.py.

Run from the repository root: python tests/data/io/broken/make_broken.py
Each file shows one failure mode (or one awkward-but-valid form).
"""

from pathlib import Path

HERE = Path(__file__).parent
STREET = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
GLOSSARY = "call_id,occurred_at,category,thrive,location_text,longitude,latitude"


def w(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


w("empty.csv", "")
(HERE / "binary.csv").write_bytes(bytes(range(256)) * 4)
(HERE / "workbook.xlsx").write_bytes(b"PK\x03\x04" + b"\x14\x00\x06\x00" + b"\x00" * 60)
w(
    "premises_as_calls.csv",
    "FHRSID,RatingKey,RatingDate,RatingValue,BusinessName,BusinessType,PostCode\n"
    "598455,fhrs_5_en-GB,2016-01-01,5,All Bar One,Pub/bar/nightclub,B1 2HL\n",
)
w(
    "misspelt_column.csv",
    "call_id,occured_at,category,longitude,latitude\nC1,2025-01-03 23:15,public_order,-1.9,52.47\n",
)
w(
    "outside_gb.csv",
    f"{GLOSSARY}\nC1,2025-01-03 23:15,public_order,P,x,2.35,48.85\nC2,2025-01-03 23:45,public_order,P,y,-74.0,40.7\n",
)
w(
    "bad_rows.csv",
    GLOSSARY
    + "\n"
    + "\n".join(
        [
            "C1,2025-01-03 23:15,public_order,P,ok,-1.9000,52.4770",  # row 2 fine
            "C2,31/02/2025 23:15,public_order,P,bad date,-1.9000,52.4770",  # row 3
            "C3,2025-01-03 23:20,public_order,P,no location,,",  # row 4
            "C4,2025-01-03 23:25,public_order,P,Paris,2.35,48.85",  # row 5
            "C5,2025-01-03 23:30,public_order,P,swapped,52.4770,-1.9000",  # row 6
            "C6,2025-01-03 23:35,public_order,P,easting,406950,286560",  # row 7
            "C1,2025-01-03 23:40,public_order,P,duplicate id,-1.9000,52.4770",  # row 8
            "C8,2025-01-03 23:45,Fighting,Z,unknown category and grade,-1.9000,52.4770",  # row 9
        ]
    )
    + "\n",
)
w(
    "all_swapped.csv",
    f"{GLOSSARY}\nC1,2025-01-03 23:15,public_order,P,a,52.4770,-1.9000\nC2,2025-01-03 23:45,drugs,S,b,52.4780,-1.9010\n",
)
# awkward but valid: Windows-1252 with a pound sign, semicolons, decimal commas
w(
    "awkward_cp1252_semicolon.csv",
    "call_id;occurred_at;category;location_text;longitude;latitude\r\n"
    "C1;03/01/2025 23:15;public_order;Outside the £1 shop;-1,9000;52,4770\r\n"
    "C2;04/01/2025 01:05;drugs;Hurst St;-1,8960;52,4740\r\n",
    encoding="cp1252",
)
# awkward but valid: Windows-1252 whose first non-ASCII byte is far beyond what is sniffed
w(
    "awkward_cp1252_late.csv",
    "call_id,occurred_at,category,location_text,x,y\n"
    + "".join(f"C{i},2025-01-03 23:15,drugs,Hurst Street,407230,286280\n" for i in range(1, 1600))
    + "C1600,2025-01-04 01:05,drugs,Outside the £1 shop,407230,286280\n",
    encoding="cp1252",
)
w("header_only.csv", "call_id,occurred_at,category,x,y\n")
# awkward but valid: byte-order mark, reordered columns, header repeated inside the data
w(
    "awkward_bom_repeated_header.csv",
    "\ufeffLongitude,Latitude,Month,Crime ID,Reported by,Falls within,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
    "-1.892674,52.469009,2017-01,,West Midlands Police,West Midlands Police,On or near Bissell Street,E01009378,Birmingham 135A,Anti-social behaviour,,\n"
    "Longitude,Latitude,Month,Crime ID,Reported by,Falls within,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
    "-1.914670,52.474394,2017-01,ab12,West Midlands Police,West Midlands Police,On or near Nightclub,E01033639,Birmingham 136D,Violence and sexual offences,,\n",
)
w(
    "staff_bad_rows.csv",
    "officer_id,name,role,base,base_easting,base_northing,avail_mon,avail_tue,avail_wed,avail_thu,avail_fri,avail_sat,avail_sun\n"
    "S1,A,Licensing PC,Steelhouse Lane,407300,287200,,,,,20:00-04:00,20:00-04:00,\n"
    "S2,B,Traffic warden,Steelhouse Lane,407300,287200,,,,,20:00-04:00,,\n"
    "S3,C,Gang spotter,Steelhouse Lane,407300,287200,,,,,8pm-4am,20:00-04:00,\n",
)
w(
    "zones_bad.geojson",
    '{"type":"FeatureCollection","features":['
    '{"type":"Feature","properties":{"zone_id":"bowtie","name":"Bow tie"},"geometry":{"type":"Polygon","coordinates":[[[-1.90,52.47],[-1.89,52.48],[-1.89,52.47],[-1.90,52.48],[-1.90,52.47]]]}},'
    '{"type":"Feature","properties":{"zone_id":"two_parts","name":"Two parts"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-1.92,52.47],[-1.91,52.47],[-1.91,52.48],[-1.92,52.47]]],[[[-1.88,52.47],[-1.87,52.47],[-1.87,52.48],[-1.88,52.47]]]]}},'
    '{"type":"Feature","properties":{"zone_id":"a_point","name":"A point"},"geometry":{"type":"Point","coordinates":[-1.9,52.47]}}'
    "]}",
)
