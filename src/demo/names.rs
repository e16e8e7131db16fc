//! Customer names for the demo shop: mostly plain English trade names, with a few
//! accented, CJK and emoji names so the screens are tested on wide characters.

use super::rng::Rng;

const FIRST: &[&str] = &[
    "Acme",
    "Bluebird",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Harbor",
    "Iron",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Maple",
    "Northwind",
    "Oakridge",
    "Pioneer",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidewater",
    "Union",
    "Valley",
    "Westfield",
    "Yellowstone",
    "Zenith",
    "Atlas",
    "Beacon",
    "Copper",
    "Driftwood",
    "Elm Street",
    "Frontier",
    "Golden Gate",
    "Highland",
    "Ivory",
    "Jasper",
    "Kingsley",
    "Liberty",
    "Meridian",
    "Nova",
    "Orchard",
    "Prairie",
    "Riverside",
    "Silverline",
    "Trinity",
    "Upland",
    "Vantage",
    "Willow",
    "Apex",
    "Bright",
    "Crescent",
];

const SECOND: &[&str] = &[
    "Supply",
    "Bakery",
    "Hardware",
    "Logistics",
    "Dental",
    "Builders",
    "Foods",
    "Print",
    "Motors",
    "Electric",
    "Plumbing",
    "Catering",
    "Florist",
    "Textiles",
    "Machining",
    "Pharmacy",
    "Coffee",
    "Outfitters",
    "Labs",
    "Freight",
    "Auto Parts",
    "Landscaping",
    "Optical",
    "Brewing",
    "Signs",
    "Flooring",
    "Glass",
    "Hotels",
    "Kitchens",
    "Packaging",
];

const SUFFIX: &[&str] = &[
    "Co", "Inc", "LLC", "Ltd", "Group", "& Sons", "Partners", "Corp", "Trading", "Works",
];

const INTERNATIONAL: &[&str] = &[
    "Müller Werkzeuge GmbH",
    "東京精密工業",
    "Café Olé ☕",
    "Société Générale de Pâtisserie",
    "大阪フーズ株式会社",
    "Øresund Fiskeri ApS",
    "서울 무역",
    "Señora Núñez Imports",
];

/// The name of customer number `n`.
pub fn customer_name(rng: &mut Rng, n: usize) -> String {
    if n % 97 == 13 {
        return rng.pick(INTERNATIONAL).to_string();
    }
    format!(
        "{} {} {}",
        rng.pick(FIRST),
        rng.pick(SECOND),
        rng.pick(SUFFIX)
    )
}

/// A mailbox for a customer name (`ap@acme-supply.example`).
pub fn email_for(name: &str, n: usize) -> String {
    let slug: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect::<String>()
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase();
    let slug = if slug.is_empty() {
        format!("customer{n}")
    } else {
        slug
    };
    format!("ap@{slug}-{n}.example")
}
