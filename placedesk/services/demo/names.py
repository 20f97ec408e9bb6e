"""Invented names for demo people and providers, drawn from the mix of a modern English caseload.

None of these belongs to a real person or service: first and last names are
combined at random, and provider names are built from neutral words. A few
names carry accents, Welsh or Polish letters, and a few young people have a
known-as name in Arabic script, so every screen and PDF is exercised with them.
"""

from __future__ import annotations

FIRST_NAMES_GIRLS: tuple[str, ...] = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Freya", "Lily", "Ella", "Poppy", "Evie", "Ruby",
    "Chloé", "Zoë", "Renée", "Niamh", "Aoife", "Siân", "Cerys", "Ffion", "Gwenllian", "Nia", "Zofia",
    "Małgorzata", "Agnieszka", "Wiktoria", "Amira", "Layla", "Fatima", "Aisha", "Maryam", "Zainab",
    "Priya", "Ananya", "Simran", "Chidinma", "Adaeze", "Ama", "Keisha", "Shanice", "Jade", "Kayleigh",
    "Leah", "Megan", "Paige", "Tia", "Maja", "Elif", "Hana", "Inés", "Lucía", "Roxana", "Bianca",
)

FIRST_NAMES_BOYS: tuple[str, ...] = (
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Oscar", "Charlie", "Jacob", "Alfie", "Tyler",
    "Kai", "Mason", "Riley", "Rhys", "Dafydd", "Ioan", "Gethin", "Owain", "Łukasz", "Wojciech", "Jakub",
    "Kacper", "Mateusz", "Yusuf", "Omar", "Ibrahim", "Hamza", "Bilal", "Ayaan", "Arjun", "Rohan",
    "Kwame", "Chukwuemeka", "Tobi", "Jermaine", "Dwayne", "Callum", "Connor", "Declan", "Kieran",
    "José", "Mihai", "Andrei", "Emre", "Ahmet", "Tomás", "Seán", "Liam", "Dominik", "Ethan", "Jayden",
)

FIRST_NAMES_ADULTS: tuple[str, ...] = (
    "Sarah", "Helen", "Rachel", "Joanne", "Claire", "Karen", "Nicola", "Amanda", "Samantha", "Gemma",
    "David", "Paul", "Mark", "Andrew", "Richard", "Steven", "Gareth", "Imran", "Nadia", "Sunita",
    "Bronwen", "Aled", "Katarzyna", "Piotr", "Yvonne", "Femi", "Grace", "Rebecca", "Tariq", "Hannah",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Khan", "Ahmed", "Hussain", "Begum", "Ali", "Shah", "Iqbal",
    "Okafor", "Adeyemi", "Mensah", "Owusu", "Campbell", "Francis", "Gordon", "Murphy", "O'Brien",
    "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowska", "Llewellyn", "Pryce", "ap Gwilym",
    "Morgan", "Powell", "Ó Súilleabháin", "Yılmaz", "Popescu", "García", "Fernández", "Nguyen",
    "Chen", "Haddad", "Mansour", "Singh", "Kaur", "McAllister", "Fitzgerald", "Barker", "Marsh",
)

# Known-as names in Arabic script for a few young people.
ARABIC_KNOWN_AS: tuple[str, ...] = ("يوسف", "ليلى", "عمر", "مريم", "حمزة", "زينب")

ETHNICITIES: tuple[tuple[str, int], ...] = (
    ("White British", 60), ("White Irish", 2), ("White other", 7), ("Gypsy/Roma", 1),
    ("Mixed white and Black Caribbean", 5), ("Mixed white and Asian", 3), ("Mixed other", 3),
    ("Asian British Pakistani", 4), ("Asian British Indian", 2), ("Asian British Bangladeshi", 2),
    ("Black British Caribbean", 3), ("Black British African", 5), ("Arab", 2), ("Other", 1),
)

RELIGIONS: tuple[tuple[str, int], ...] = (
    ("No religion", 45), ("Christian", 30), ("Muslim", 14), ("Hindu", 2), ("Sikh", 2),
    ("Jewish", 1), ("Buddhist", 1), ("Not stated", 5),
)

LANGUAGES: tuple[tuple[str, int], ...] = (
    ("English", 85), ("Polish", 3), ("Arabic", 3), ("Urdu", 2), ("Romanian", 2), ("Welsh", 2),
    ("Somali", 1), ("Tigrinya", 1), ("Kurdish", 1),
)

GENDERS: tuple[tuple[str, int], ...] = (("Male", 52), ("Female", 46), ("Non-binary", 2))

PROVIDER_WORDS: tuple[str, ...] = (
    "Oakwood", "Willow", "Birchfield", "Harbour", "Meadowbank", "Riverside", "Hillcrest", "Brightwater",
    "Lantern", "Compass", "Horizon", "Evergreen", "Heartwood", "Keystone", "Fernlea", "Ashgrove",
    "Beacon", "Northstar", "Stepping Stones", "Pathways", "Kestrel", "Larkspur", "Cornerstone",
    "Rowan", "Hazel", "Maple", "Foxglove", "Silverdale", "Greenacre", "Bluebell", "Cedar",
    "Tŷ Newydd", "Anchor", "Harmony", "Sunrise", "Haven", "Bridges", "Nest", "Acorn", "Orchard",
)

PROVIDER_SUFFIXES: dict[str, tuple[str, ...]] = {
    "ifa": ("Fostering", "Foster Care", "Family Placements", "Fostering Services"),
    "childrens_home": ("House", "Lodge", "Children's Home", "Cottage", "View"),
    "supported_accommodation": ("Supported Living", "Independence Project", "Move-On Flats", "Foyer"),
    "residential_special_school": ("School", "College", "Academy"),
    "parent_and_child": ("Family Centre", "Parent and Child Unit", "Family Assessment Centre"),
    "in_house_fostering": ("Fostering Service",),
}

OWNER_ORGANISATIONS: tuple[str, ...] = (
    "Bright Futures Care Ltd", "Northway Children's Services Ltd", "Keystone Care Group",
    "Harbour Family Care Ltd", "Evergreen Young People's Trust", "Compass Family Group Ltd",
    "Lantern Community Care CIC", "Oakleaf Education and Care Ltd", "Horizon Childcare Partnership",
    "Cornerstone Charitable Trust",
)

# Each regional framework or DPV buys one kind of placement, so a provider is on the one for its type.
FRAMEWORKS: dict[str, tuple[str, str]] = {
    # provider type: (framework name, DPV name)
    "ifa": ("Regional Fostering Framework", "Independent Fostering DPV"),
    "childrens_home": ("Children's Residential Framework", "Children's Homes DPV"),
    "supported_accommodation": ("16+ Supported Accommodation Framework", "16+ Supported Accommodation DPV"),
    "residential_special_school": ("Specialist Education Placements Framework", "Residential Schools DPV"),
    "parent_and_child": ("Parent and Child Assessment Framework", "Parent and Child DPV"),
}
