"""English local authorities for demo data: region, towns, real outward codes and their centres.

Outward codes and centres are real so that distances computed from the
generated postcodes are plausible; every full postcode built on them is
invented (the inward part is random), and its location is a point scattered
a few kilometres around the area's centre.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    """A local authority with its region, towns, outward codes and approximate centre."""

    local_authority: str
    region: str
    towns: tuple[str, ...]
    outward_codes: tuple[str, ...]
    latitude: float
    longitude: float


AREAS: tuple[Area, ...] = (
    Area("Newcastle upon Tyne", "North East", ("Newcastle upon Tyne",), ("NE1", "NE4", "NE6", "NE15"), 54.978, -1.617),
    Area("Sunderland", "North East", ("Sunderland", "Washington"), ("SR1", "SR4", "NE37"), 54.906, -1.381),
    Area("County Durham", "North East", ("Durham", "Bishop Auckland", "Chester-le-Street"), ("DH1", "DL14", "DH3"), 54.776, -1.575),
    Area("Middlesbrough", "North East", ("Middlesbrough",), ("TS1", "TS5", "TS3"), 54.574, -1.235),
    Area("Manchester", "North West", ("Manchester", "Wythenshawe"), ("M1", "M14", "M20", "M9", "M22"), 53.480, -2.242),
    Area("Liverpool", "North West", ("Liverpool",), ("L1", "L8", "L15", "L11"), 53.408, -2.991),
    Area("Lancashire", "North West", ("Preston", "Lancaster", "Chorley"), ("PR1", "LA1", "PR7"), 53.760, -2.700),
    Area("Cumberland", "North West", ("Carlisle", "Workington"), ("CA1", "CA2", "CA14"), 54.890, -2.930),
    Area("Bolton", "North West", ("Bolton", "Farnworth"), ("BL1", "BL3", "BL4"), 53.578, -2.429),
    Area("Blackpool", "North West", ("Blackpool",), ("FY1", "FY4"), 53.817, -3.035),
    Area("Leeds", "Yorkshire and the Humber", ("Leeds", "Morley", "Otley"), ("LS1", "LS6", "LS11", "LS27"), 53.800, -1.549),
    Area("Sheffield", "Yorkshire and the Humber", ("Sheffield",), ("S1", "S10", "S5", "S8"), 53.381, -1.470),
    Area("Bradford", "Yorkshire and the Humber", ("Bradford", "Keighley", "Shipley"), ("BD1", "BD3", "BD21"), 53.795, -1.759),
    Area("Kingston upon Hull", "Yorkshire and the Humber", ("Hull",), ("HU1", "HU5", "HU9"), 53.745, -0.336),
    Area("York", "Yorkshire and the Humber", ("York",), ("YO1", "YO24", "YO31"), 53.959, -1.081),
    Area("North Yorkshire", "Yorkshire and the Humber", ("Harrogate", "Northallerton", "Scarborough"), ("HG1", "DL7", "YO11"), 54.100, -1.300),
    Area("Nottingham", "East Midlands", ("Nottingham",), ("NG1", "NG7", "NG5"), 52.954, -1.158),
    Area("Leicester", "East Midlands", ("Leicester",), ("LE1", "LE2", "LE4"), 52.636, -1.139),
    Area("Derbyshire", "East Midlands", ("Chesterfield", "Matlock", "Ripley"), ("S40", "DE4", "DE5"), 53.140, -1.520),
    Area("Lincolnshire", "East Midlands", ("Lincoln", "Boston", "Grantham"), ("LN1", "PE21", "NG31"), 53.100, -0.300),
    Area("North Northamptonshire", "East Midlands", ("Kettering", "Corby", "Wellingborough"), ("NN16", "NN17", "NN8"), 52.400, -0.730),
    Area("Birmingham", "West Midlands", ("Birmingham", "Sutton Coldfield"), ("B1", "B11", "B23", "B72", "B29"), 52.486, -1.890),
    Area("Coventry", "West Midlands", ("Coventry",), ("CV1", "CV6", "CV2"), 52.408, -1.510),
    Area("Wolverhampton", "West Midlands", ("Wolverhampton",), ("WV1", "WV10", "WV4"), 52.586, -2.128),
    Area("Stoke-on-Trent", "West Midlands", ("Stoke-on-Trent", "Hanley"), ("ST1", "ST4", "ST6"), 53.003, -2.179),
    Area("Shropshire", "West Midlands", ("Shrewsbury", "Oswestry", "Ludlow"), ("SY1", "SY11", "SY8"), 52.707, -2.754),
    Area("Sandwell", "West Midlands", ("West Bromwich", "Smethwick", "Oldbury"), ("B70", "B66", "B69"), 52.520, -2.000),
    Area("Norfolk", "East of England", ("Norwich", "King's Lynn", "Great Yarmouth"), ("NR1", "PE30", "NR30"), 52.630, 1.297),
    Area("Suffolk", "East of England", ("Ipswich", "Bury St Edmunds", "Lowestoft"), ("IP1", "IP33", "NR32"), 52.190, 1.000),
    Area("Essex", "East of England", ("Chelmsford", "Colchester", "Basildon"), ("CM1", "CO1", "SS14"), 51.780, 0.600),
    Area("Hertfordshire", "East of England", ("St Albans", "Stevenage", "Watford"), ("AL1", "SG1", "WD17"), 51.800, -0.210),
    Area("Peterborough", "East of England", ("Peterborough",), ("PE1", "PE4", "PE2"), 52.573, -0.240),
    Area("Luton", "East of England", ("Luton",), ("LU1", "LU4", "LU2"), 51.879, -0.417),
    Area("Camden", "London", ("London",), ("NW1", "NW5", "NW3"), 51.529, -0.125),
    Area("Hackney", "London", ("London",), ("E8", "E5", "N16"), 51.545, -0.055),
    Area("Croydon", "London", ("Croydon", "Thornton Heath"), ("CR0", "CR7"), 51.372, -0.098),
    Area("Lambeth", "London", ("London",), ("SW9", "SE11", "SW2"), 51.460, -0.116),
    Area("Tower Hamlets", "London", ("London",), ("E1", "E14", "E3"), 51.515, -0.030),
    Area("Barnet", "London", ("Barnet", "London"), ("EN5", "NW4", "N12"), 51.625, -0.200),
    Area("Newham", "London", ("London",), ("E13", "E15", "E6"), 51.530, 0.030),
    Area("Enfield", "London", ("Enfield", "London"), ("EN1", "N9", "EN3"), 51.652, -0.081),
    Area("Kent", "South East", ("Maidstone", "Canterbury", "Ashford"), ("ME14", "CT1", "TN23"), 51.270, 0.700),
    Area("Surrey", "South East", ("Guildford", "Redhill", "Woking"), ("GU1", "RH1", "GU21"), 51.270, -0.450),
    Area("Brighton and Hove", "South East", ("Brighton", "Hove"), ("BN1", "BN3", "BN2"), 50.827, -0.137),
    Area("Hampshire", "South East", ("Winchester", "Basingstoke", "Farnborough"), ("SO23", "RG21", "GU14"), 51.100, -1.200),
    Area("Oxfordshire", "South East", ("Oxford", "Banbury", "Didcot"), ("OX1", "OX16", "OX11"), 51.750, -1.300),
    Area("Milton Keynes", "South East", ("Milton Keynes", "Bletchley"), ("MK9", "MK6", "MK2"), 52.040, -0.760),
    Area("Medway", "South East", ("Chatham", "Gillingham", "Rochester"), ("ME4", "ME7", "ME1"), 51.380, 0.520),
    Area("Portsmouth", "South East", ("Portsmouth", "Southsea"), ("PO1", "PO4", "PO2"), 50.800, -1.090),
    Area("Bristol", "South West", ("Bristol",), ("BS1", "BS5", "BS3", "BS13"), 51.455, -2.590),
    Area("Devon", "South West", ("Exeter", "Barnstaple", "Newton Abbot"), ("EX1", "EX32", "TQ12"), 50.800, -3.700),
    Area("Cornwall", "South West", ("Truro", "St Austell", "Camborne"), ("TR1", "PL25", "TR14"), 50.300, -5.000),
    Area("Plymouth", "South West", ("Plymouth",), ("PL1", "PL4", "PL6"), 50.375, -4.140),
    Area("Somerset", "South West", ("Taunton", "Yeovil", "Bridgwater"), ("TA1", "BA20", "TA6"), 51.050, -2.950),
    Area("Gloucestershire", "South West", ("Gloucester", "Cheltenham", "Stroud"), ("GL1", "GL50", "GL5"), 51.864, -2.244),
    Area("Swindon", "South West", ("Swindon",), ("SN1", "SN25", "SN3"), 51.560, -1.780),
)

STREETS: tuple[str, ...] = (
    "High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Lane", "Victoria Road",
    "The Crescent", "Orchard Close", "Meadow View", "School Lane", "Chapel Street", "Elm Grove",
    "Beech Road", "Willow Way", "Queen's Drive", "Albert Terrace", "Riverside", "Manor Farm Road",
    "Hawthorn Close", "Kingsway", "Brook Street", "Greenbank Road", "Castle Hill", "Cedar Court",
)

# Letters Royal Mail uses in the inward part of a postcode (no C, I, K, M, O, V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
