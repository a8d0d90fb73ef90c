//! Vocabularies in English and Russian: conditions, rarities, materials, fittings, marks,
//! photo roles, places on a badge, scripts, yes and no.
//!
//! Values are compared as words ([`super::words`]): case, punctuation, `_` and `-` do not
//! matter, so Vitrina's own keys (`very_fine`, `screw_back`) read like `Very fine`,
//! `screw-back`. An unknown value is an error that names it and lists what is accepted.

use vitrina_catalogue::{
    Area, Condition, Fitting, MarkKind, Material, PhotoRole, Placement, Rarity, Script, Side,
};

use super::{ValueError, quoted, with_words, words};

fn lookup<T: Copy>(table: &[(&str, T)], value: &str) -> Option<T> {
    with_words(value, |w| {
        table.iter().find(|(k, _)| *k == w).map(|(_, v)| *v)
    })
}

fn unknown(value: &str, what: &str, accepted: &str) -> ValueError {
    ValueError::new(format!("{} is not {what}: use {accepted}", quoted(value)))
}

const CONDITIONS: &[(&str, Condition)] = &[
    ("mint", Condition::Mint),
    ("unc", Condition::Mint),
    ("uncirculated", Condition::Mint),
    ("bu", Condition::Mint),
    ("ms", Condition::Mint),
    ("fdc", Condition::Mint),
    ("as new", Condition::Mint),
    ("безупречное", Condition::Mint),
    ("превосходное", Condition::Mint),
    ("идеальное", Condition::Mint),
    ("новое", Condition::Mint),
    ("excellent", Condition::Excellent),
    ("extremely fine", Condition::Excellent),
    ("xf", Condition::Excellent),
    ("ef", Condition::Excellent),
    ("ex", Condition::Excellent),
    ("au", Condition::Excellent),
    ("about uncirculated", Condition::Excellent),
    ("отличное", Condition::Excellent),
    ("отл", Condition::Excellent),
    ("very fine", Condition::VeryFine),
    ("vf", Condition::VeryFine),
    ("очень хорошее", Condition::VeryFine),
    ("оч хор", Condition::VeryFine),
    ("fine", Condition::Fine),
    ("f", Condition::Fine),
    ("хорошее", Condition::Fine),
    ("хор", Condition::Fine),
    ("good", Condition::Good),
    ("very good", Condition::Good),
    ("vg", Condition::Good),
    ("g", Condition::Good),
    ("удовлетворительное", Condition::Good),
    ("удовл", Condition::Good),
    ("fair", Condition::Fair),
    ("fr", Condition::Fair),
    ("about good", Condition::Fair),
    ("ag", Condition::Fair),
    ("посредственное", Condition::Fair),
    ("среднее", Condition::Fair),
    ("poor", Condition::Poor),
    ("p", Condition::Poor),
    ("po", Condition::Poor),
    ("плохое", Condition::Poor),
];

const CONDITION_HELP: &str = "mint (UNC), excellent (extremely fine, XF, EF, AU), very fine (VF), \
     fine (F), good (VG, G), fair, poor; безупречное, отличное, очень хорошее, хорошее, \
     удовлетворительное, посредственное, плохое";

/// Reads a condition, with a remark after it kept apart: `Mint; traces of cleaning`,
/// `VF, original nut`, `XF (light wear)`, `отличное — следы чистки`. The numismatic grades
/// become the closest of Vitrina's (XF, EF, AU → excellent; VG → good). Russian words follow
/// the site's own labels (хорошее is fine, удовлетворительное is good).
pub fn condition(s: &str) -> Result<(Condition, Option<String>), ValueError> {
    let t = s.trim();
    if let Some(c) = lookup(CONDITIONS, t) {
        return Ok((c, None));
    }
    let cut = t
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, ';' | ',' | '(' | ':')
                || (matches!(c, '-' | '–' | '—') && t[..i].ends_with(' '))
        })
        .map(|(i, _)| i);
    if let Some(i) = cut {
        let (head, rest) = t.split_at(i);
        if let Some(c) = lookup(CONDITIONS, head) {
            let remark = rest
                .trim_start_matches([';', ',', '(', ':', '-', '–', '—'])
                .trim()
                .trim_end_matches(')')
                .trim();
            return Ok((c, (!remark.is_empty()).then(|| remark.to_owned())));
        }
    }
    // "XF/AU", "VF+": the first grade.
    if let Some(head) = t.split(['/', '+']).next()
        && let Some(c) = lookup(CONDITIONS, head)
    {
        return Ok((c, None));
    }
    Err(unknown(s, "a condition", CONDITION_HELP))
}

const RARITIES: &[(&str, Rarity)] = &[
    ("common", Rarity::Common),
    ("c", Rarity::Common),
    ("распространенный", Rarity::Common),
    ("обычный", Rarity::Common),
    ("частый", Rarity::Common),
    ("uncommon", Rarity::Uncommon),
    ("u", Rarity::Uncommon),
    ("нечастый", Rarity::Uncommon),
    ("нередкий", Rarity::Uncommon),
    ("scarce", Rarity::Scarce),
    ("s", Rarity::Scarce),
    ("малораспространенный", Rarity::Scarce),
    ("rare", Rarity::Rare),
    ("r", Rarity::Rare),
    ("r1", Rarity::Rare),
    ("редкий", Rarity::Rare),
    ("редкая", Rarity::Rare),
    ("редкое", Rarity::Rare),
    ("very rare", Rarity::VeryRare),
    ("rr", Rarity::VeryRare),
    ("r2", Rarity::VeryRare),
    ("очень редкий", Rarity::VeryRare),
    ("очень редкая", Rarity::VeryRare),
    ("extremely rare", Rarity::ExtremelyRare),
    ("rrr", Rarity::ExtremelyRare),
    ("r3", Rarity::ExtremelyRare),
    ("исключительно редкий", Rarity::ExtremelyRare),
    ("крайне редкий", Rarity::ExtremelyRare),
    ("чрезвычайно редкий", Rarity::ExtremelyRare),
];

/// Reads a rarity: common, uncommon, scarce, rare (R), very rare (RR), extremely rare (RRR), or
/// the Russian words the site uses.
pub fn rarity(s: &str) -> Result<Rarity, ValueError> {
    lookup(RARITIES, s).ok_or_else(|| {
        unknown(
            s,
            "a rarity",
            "common, uncommon, scarce, rare (R), very rare (RR), extremely rare (RRR); \
             распространённый, нечастый, малораспространённый, редкий, очень редкий, \
             исключительно редкий",
        )
    })
}

/// Material words, including Russian adjectives and cases (`серебряный`, `серебра`).
fn material_word(word: &str) -> Option<Material> {
    Some(match word {
        "gold" | "золото" | "золота" | "золотой" | "золотая" | "золотое" => {
            Material::Gold
        }
        "silver" | "серебро" | "серебра" | "серебряный" | "серебряная" | "серебряное" => {
            Material::Silver
        }
        "platinum" | "платина" | "платины" | "платиновый" => {
            Material::Platinum
        }
        "bronze" | "бронза" | "бронзы" | "бронзовый" | "бронзовая" => {
            Material::Bronze
        }
        "brass" | "латунь" | "латуни" | "латунный" | "латунная" => {
            Material::Brass
        }
        "copper" | "медь" | "меди" | "медный" | "медная" => Material::Copper,
        "tombac" | "tombak" | "томпак" | "томпака" | "томпаковый" => {
            Material::Tombac
        }
        "aluminium" | "aluminum" | "алюминий" | "алюминия" | "алюминиевый" => {
            Material::Aluminium
        }
        "steel" | "сталь" | "стали" | "стальной" => Material::Steel,
        "enamel" | "enamels" | "enamelled" | "enameled" | "эмаль" | "эмали" | "эмалевый"
        | "эмалью" => Material::Enamel,
        _ => return None,
    })
}

/// Words that qualify a material without changing it: `solid silver`, `cold enamel`,
/// `серебро 875 пробы`, `silver and gold`.
const QUALIFIERS: &[&str] = &[
    "solid",
    "sterling",
    "pure",
    "fine",
    "cold",
    "hot",
    "and",
    "with",
    "of",
    "цельное",
    "цельный",
    "чистое",
    "горячая",
    "холодная",
    "горячей",
    "холодной",
    "и",
    "с",
    "пробы",
];

const MATERIAL_HELP: &str = "gold, silver, platinum, bronze, brass, copper, tombac, aluminium, \
     steel, enamel (золото, серебро, платина, бронза, латунь, медь, томпак, алюминий, сталь, \
     эмаль), with a plating as in gold-plated silver or серебро с позолотой";

/// A plating named in words: `gold-plated`, `gilt`, `позолоченный`, `с позолотой`.
fn plating_word(w: &str, next: Option<&str>) -> Option<(Material, bool)> {
    let two = |m| Some((m, true));
    match (w, next) {
        ("gold", Some("plated" | "plate" | "plating")) => two(Material::Gold),
        ("silver", Some("plated" | "plate" | "plating")) => two(Material::Silver),
        ("copper", Some("plated" | "plate" | "plating")) => two(Material::Copper),
        _ if ["gilt", "gilded", "gilding", "vermeil", "gold-plated"].contains(&w)
            || w.starts_with("позолот")
            || w.starts_with("позолоч")
            || w.starts_with("золочен")
            || w.starts_with("золочён") =>
        {
            Some((Material::Gold, false))
        }
        _ if ["silvered", "silvering"].contains(&w)
            || w.starts_with("посеребр")
            || w.starts_with("серебрени")
            || w.starts_with("серебрён") =>
        {
            Some((Material::Silver, false))
        }
        _ if w.starts_with("меднени") || w.starts_with("омеднен") => {
            Some((Material::Copper, false))
        }
        _ => None,
    }
}

/// Reads one item of a materials list into its materials and plating.
fn material_item(
    item: &str,
    materials: &mut Vec<Material>,
    plating: &mut Option<Material>,
) -> Result<(), ValueError> {
    with_words(item, |w| {
        let mut ws = w.split(' ').filter(|x| !x.is_empty()).peekable();
        let mut found = false;
        while let Some(word) = ws.next() {
            if let Some((m, two)) = plating_word(word, ws.peek().copied()) {
                if plating.is_some_and(|p| p != m) {
                    return Err(ValueError::new(format!(
                        "{}: a variant has one plating",
                        quoted(item)
                    )));
                }
                *plating = Some(m);
                found = true;
                if two {
                    ws.next();
                }
                continue;
            }
            if let Some(m) = material_word(word) {
                materials.push(m);
                found = true;
            } else if !(QUALIFIERS.contains(&word) || word.bytes().all(|b| b.is_ascii_digit())) {
                return Err(unknown(item, "a material we know", MATERIAL_HELP));
            }
        }
        if found {
            Ok(())
        } else {
            Err(unknown(item, "a material", MATERIAL_HELP))
        }
    })
}

/// Reads one material: `silver`, `серебро`, `латунь`, `томпак`, `эмаль`.
pub fn material(s: &str) -> Result<Material, ValueError> {
    let mut materials = Vec::new();
    let mut plating = None;
    material_item(s, &mut materials, &mut plating)?;
    match (materials.as_slice(), plating) {
        ([m], None) => Ok(*m),
        _ => Err(unknown(s, "one material", MATERIAL_HELP)),
    }
}

/// Reads a list of materials (items separated by `;`, `,` or line breaks, already split by the
/// caller) into the materials in order and the plating: `gold-plated silver, enamel` is silver
/// and enamel, gold-plated; `серебро с позолотой, эмаль` the same.
pub fn materials<'a>(
    items: impl IntoIterator<Item = &'a str>,
) -> Result<(Vec<Material>, Option<Material>), ValueError> {
    let mut materials = Vec::new();
    let mut plating = None;
    for item in items {
        material_item(item, &mut materials, &mut plating)?;
    }
    Ok((materials, plating))
}

/// Reads a plating: `gold`, `gilt`, `gilding`, `gold-plated`, `позолота`, `серебрение`, or any
/// material.
pub fn plating(s: &str) -> Result<Material, ValueError> {
    let w = words(s);
    let ws: Vec<&str> = w.split(' ').collect();
    if let Some(first) = ws.first()
        && let Some((m, two)) = plating_word(first, ws.get(1).copied())
        && ws.len() == if two { 2 } else { 1 }
    {
        return Ok(m);
    }
    material(s).map_err(|_| {
        unknown(
            s,
            "a plating",
            "gold (gilt, gilding, позолота), silver (silvered, серебрение), copper, or another \
             material",
        )
    })
}

/// Words that name a fitting.
fn fitting_word(word: &str) -> Option<Fitting> {
    Some(match word {
        "screw" | "screwback" | "nut" | "thread" | "threaded" | "винт" | "винтовой"
        | "винтовое" | "винте" | "закрутка" | "закрутке" | "гайка" | "гайкой" => {
            Fitting::ScrewBack
        }
        "pin"
        | "pinback"
        | "clutch"
        | "булавка"
        | "булавке"
        | "булавочное"
        | "игла"
        | "игле"
        | "цанга" => Fitting::Pin,
        "brooch" | "брошь" | "брошка" | "брошевое" => Fitting::Brooch,
        "suspension" | "ribbon" | "ring" | "pendant" | "подвеска" | "подвес" | "колодка"
        | "колодке" | "ушко" => Fitting::Suspension,
        _ => return None,
    })
}

/// The fittings a text names, in order, each once: `V1 screw-back, small nut` names a screw
/// back; `safety pin` and `clutch back` are pins.
pub fn fitting_in(s: &str) -> Vec<Fitting> {
    with_words(s, |words| {
        let mut out = Vec::new();
        for w in words.split(' ') {
            if let Some(f) = fitting_word(w)
                && !out.contains(&f)
            {
                out.push(f);
            }
        }
        out
    })
}

/// Reads a fitting: `screw-back`, `screw_back`, `pin`, `pin-back`, `clutch back`, `brooch`,
/// `suspension`, `винт`, `на винте`, `булавка`, `брошь`, `колодка`. Words around it (`screw
/// back, large nut`) are allowed; two different fittings are not.
pub fn fitting(s: &str) -> Result<Fitting, ValueError> {
    match fitting_in(s).as_slice() {
        [f] => Ok(*f),
        _ => Err(unknown(
            s,
            "one fitting",
            "screw back (винт), pin (булавка), brooch (брошь) or suspension (колодка, подвеска)",
        )),
    }
}

const MARK_KINDS: &[(&str, MarkKind)] = &[
    ("silver proof", MarkKind::SilverProof),
    ("silver proof mark", MarkKind::SilverProof),
    ("silver mark", MarkKind::SilverProof),
    ("silver assay", MarkKind::SilverProof),
    ("assay", MarkKind::SilverProof),
    ("assay mark", MarkKind::SilverProof),
    ("проба", MarkKind::SilverProof),
    ("проба серебра", MarkKind::SilverProof),
    ("пробирное клеймо", MarkKind::SilverProof),
    ("пробирное клеймо серебра", MarkKind::SilverProof),
    ("gold proof", MarkKind::GoldProof),
    ("gold proof mark", MarkKind::GoldProof),
    ("gold mark", MarkKind::GoldProof),
    ("gold assay", MarkKind::GoldProof),
    ("проба золота", MarkKind::GoldProof),
    ("пробирное клеймо золота", MarkKind::GoldProof),
    ("silversmith", MarkKind::Silversmith),
    ("silversmith s mark", MarkKind::Silversmith),
    ("silversmiths mark", MarkKind::Silversmith),
    ("maker s mark", MarkKind::Silversmith),
    ("makers mark", MarkKind::Silversmith),
    ("maker", MarkKind::Silversmith),
    ("клеймо мастера", MarkKind::Silversmith),
    ("именник", MarkKind::Silversmith),
    ("mint", MarkKind::Mint),
    ("mint mark", MarkKind::Mint),
    ("клеймо монетного двора", MarkKind::Mint),
    ("монетный двор", MarkKind::Mint),
    ("other", MarkKind::Other),
    ("mark", MarkKind::Other),
    ("другое", MarkKind::Other),
    ("клеймо", MarkKind::Other),
];

/// Reads the kind of a hallmark, with `no`/`без`/`нет` before it for a mark looked for and not
/// found: returns the kind and whether it is present. `silver_proof`, `silver proof mark`,
/// `no silversmith`, `проба`, `клеймо мастера`, `нет пробы`.
pub fn hallmark_kind(s: &str) -> Result<(MarkKind, bool), ValueError> {
    let w = words(s);
    let (w, present) = ["no ", "not ", "without ", "absent ", "нет ", "без "]
        .iter()
        .find_map(|p| w.strip_prefix(p))
        .map_or((w.as_str(), true), |rest| (rest, false));
    let w = match w {
        "пробы" => "проба",
        "клейма мастера" => "клеймо мастера",
        "клейма" => "клеймо",
        other => other,
    };
    MARK_KINDS
        .iter()
        .find(|(k, _)| *k == w)
        .map(|(_, k)| (*k, present))
        .ok_or_else(|| {
            unknown(
                s,
                "a kind of hallmark",
                "silver proof (проба), gold proof (проба золота), silversmith (клеймо мастера), \
                 mint (клеймо монетного двора) or other; put no before it for a mark that is not \
                 there",
            )
        })
}

const ROLES: &[(&str, PhotoRole)] = &[
    ("obverse", PhotoRole::Obverse),
    ("front", PhotoRole::Obverse),
    ("аверс", PhotoRole::Obverse),
    ("лицевая", PhotoRole::Obverse),
    ("лицевая сторона", PhotoRole::Obverse),
    ("лицо", PhotoRole::Obverse),
    ("reverse", PhotoRole::Reverse),
    ("back", PhotoRole::Reverse),
    ("реверс", PhotoRole::Reverse),
    ("оборот", PhotoRole::Reverse),
    ("оборотная", PhotoRole::Reverse),
    ("оборотная сторона", PhotoRole::Reverse),
    ("marks", PhotoRole::Marks),
    ("mark", PhotoRole::Marks),
    ("hallmarks", PhotoRole::Marks),
    ("клейма", PhotoRole::Marks),
    ("клеймо", PhotoRole::Marks),
    ("detail", PhotoRole::Detail),
    ("details", PhotoRole::Detail),
    ("деталь", PhotoRole::Detail),
    ("фрагмент", PhotoRole::Detail),
    ("document", PhotoRole::Document),
    ("documents", PhotoRole::Document),
    ("документ", PhotoRole::Document),
    ("удостоверение", PhotoRole::Document),
];

/// Reads a photo's role: obverse, reverse, marks, detail, document (аверс, реверс, клейма,
/// деталь, документ).
pub fn photo_role(s: &str) -> Result<PhotoRole, ValueError> {
    lookup(ROLES, s).ok_or_else(|| {
        unknown(
            s,
            "a photo's role",
            "obverse, reverse, marks, detail, document (аверс, реверс, клейма, деталь, документ)",
        )
    })
}

const SIDES: &[(&str, Side)] = &[
    ("obverse", Side::Obverse),
    ("front", Side::Obverse),
    ("аверс", Side::Obverse),
    ("аверсе", Side::Obverse),
    ("лицевая", Side::Obverse),
    ("лицевой", Side::Obverse),
    ("лицо", Side::Obverse),
    ("reverse", Side::Reverse),
    ("back", Side::Reverse),
    ("реверс", Side::Reverse),
    ("реверсе", Side::Reverse),
    ("оборот", Side::Reverse),
    ("обороте", Side::Reverse),
    ("оборотная", Side::Reverse),
    ("оборотной", Side::Reverse),
    ("edge", Side::Edge),
    ("rim", Side::Edge),
    ("гурт", Side::Edge),
    ("гурте", Side::Edge),
    ("ребро", Side::Edge),
    ("ребре", Side::Edge),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Towards {
    Top,
    Bottom,
    Left,
    Right,
    Centre,
}

const TOWARDS: &[(&str, Towards)] = &[
    ("top", Towards::Top),
    ("upper", Towards::Top),
    ("вверху", Towards::Top),
    ("сверху", Towards::Top),
    ("верх", Towards::Top),
    ("bottom", Towards::Bottom),
    ("lower", Towards::Bottom),
    ("внизу", Towards::Bottom),
    ("снизу", Towards::Bottom),
    ("низ", Towards::Bottom),
    ("left", Towards::Left),
    ("слева", Towards::Left),
    ("левый", Towards::Left),
    ("right", Towards::Right),
    ("справа", Towards::Right),
    ("правый", Towards::Right),
    ("centre", Towards::Centre),
    ("center", Towards::Centre),
    ("middle", Towards::Centre),
    ("центр", Towards::Centre),
    ("центре", Towards::Centre),
    ("центру", Towards::Centre),
];

const PLACE_FILLERS: &[&str] = &[
    "side",
    "of",
    "the",
    "on",
    "at",
    "in",
    "сторона",
    "стороне",
    "на",
    "в",
    "по",
];

/// Reads a place on a badge: a side, then where on it: `reverse`, `reverse bottom-left`,
/// `reverse, bottom left`, `bottom left of the reverse`, `оборот, внизу слева`, `на гурте`.
pub fn placement(s: &str) -> Result<Placement, ValueError> {
    let bad = || {
        unknown(
            s,
            "a place on the badge",
            "a side (obverse, reverse, edge; аверс, оборот, гурт) and where on it (top, bottom, \
             left, right, centre, top-left…; вверху, внизу, слева, справа, в центре)",
        )
    };
    let w = words(s);
    let mut side = None;
    let mut towards = Vec::new();
    for word in w.split(' ').filter(|x| !x.is_empty()) {
        if let Some(sd) = SIDES.iter().find(|(k, _)| *k == word).map(|(_, v)| *v) {
            if side.is_some_and(|x| x != sd) {
                return Err(bad());
            }
            side = Some(sd);
        } else if let Some(t) = TOWARDS.iter().find(|(k, _)| *k == word).map(|(_, v)| *v) {
            if !towards.contains(&t) {
                towards.push(t);
            }
        } else if !PLACE_FILLERS.contains(&word) {
            return Err(bad());
        }
    }
    let has = |t| towards.contains(&t);
    let area = match towards.len() {
        0 => None,
        1 => Some(match towards[0] {
            Towards::Top => Area::Top,
            Towards::Bottom => Area::Bottom,
            Towards::Left => Area::Left,
            Towards::Right => Area::Right,
            Towards::Centre => Area::Centre,
        }),
        2 if has(Towards::Top) && has(Towards::Left) => Some(Area::TopLeft),
        2 if has(Towards::Top) && has(Towards::Right) => Some(Area::TopRight),
        2 if has(Towards::Bottom) && has(Towards::Left) => Some(Area::BottomLeft),
        2 if has(Towards::Bottom) && has(Towards::Right) => Some(Area::BottomRight),
        _ => return Err(bad()),
    };
    Ok(Placement {
        side: side.ok_or_else(bad)?,
        area,
    })
}

const SCRIPTS: &[(&str, Script)] = &[
    ("cyrillic", Script::Cyrillic),
    ("кириллица", Script::Cyrillic),
    ("latin", Script::Latin),
    ("латиница", Script::Latin),
    ("mongolian", Script::Mongolian),
    ("монгольское", Script::Mongolian),
    ("монгольская", Script::Mongolian),
    ("старомонгольское", Script::Mongolian),
    ("other", Script::Other),
    ("другое", Script::Other),
    ("другая", Script::Other),
];

/// Reads a writing system: cyrillic, latin, mongolian (the traditional script), other.
pub fn script(s: &str) -> Result<Script, ValueError> {
    lookup(SCRIPTS, s).ok_or_else(|| {
        unknown(
            s,
            "a script",
            "cyrillic, latin, mongolian, other (кириллица, латиница, монгольское, другое)",
        )
    })
}

/// Reads yes or no: yes/no, true/false, 1/0, y/n, да/нет, +/-, x or ✓ for yes.
pub fn yes_no(s: &str) -> Result<bool, ValueError> {
    let t = s.trim().to_lowercase();
    match t.as_str() {
        "yes"
        | "y"
        | "true"
        | "1"
        | "да"
        | "д"
        | "+"
        | "x"
        | "х"
        | "✓"
        | "✔"
        | "published"
        | "опубликован" => Ok(true),
        "no" | "n" | "false" | "0" | "нет" | "н" | "-" | "–" | "—" | "draft" | "черновик" => {
            Ok(false)
        }
        _ => Err(unknown(
            s,
            "yes or no",
            "yes/no, true/false, 1/0, да/нет, +/-",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_in_english_russian_and_grades() {
        let c = |s: &str| condition(s).unwrap_or_else(|e| panic!("{s:?}: {e}")).0;
        assert_eq!(c("Mint"), Condition::Mint);
        assert_eq!(c("UNC"), Condition::Mint);
        assert_eq!(c("Extremely fine"), Condition::Excellent);
        assert_eq!(c("XF"), Condition::Excellent);
        assert_eq!(c("EF"), Condition::Excellent);
        assert_eq!(c("AU"), Condition::Excellent);
        assert_eq!(c("very_fine"), Condition::VeryFine);
        assert_eq!(c("VF"), Condition::VeryFine);
        assert_eq!(c("F"), Condition::Fine);
        assert_eq!(c("Good"), Condition::Good);
        assert_eq!(c("VG"), Condition::Good);
        assert_eq!(c("Fair"), Condition::Fair);
        assert_eq!(c("poor"), Condition::Poor);
        assert_eq!(c("отличное"), Condition::Excellent);
        assert_eq!(c("Очень хорошее"), Condition::VeryFine);
        assert_eq!(c("хорошее"), Condition::Fine);
        assert_eq!(c("удовлетворительное"), Condition::Good);
        assert_eq!(c("безупречное"), Condition::Mint);
        assert_eq!(c("XF/AU"), Condition::Excellent);
        assert_eq!(c("VF+"), Condition::VeryFine);
    }

    #[test]
    fn a_condition_keeps_its_remark() {
        let c = |s: &str| condition(s).unwrap();
        assert_eq!(
            c("Mint; traces of cleaning"),
            (Condition::Mint, Some("traces of cleaning".into()))
        );
        assert_eq!(
            c("Extremely fine; enamel chip at 3 o'clock"),
            (
                Condition::Excellent,
                Some("enamel chip at 3 o'clock".into())
            )
        );
        assert_eq!(
            c("VF, original nut"),
            (Condition::VeryFine, Some("original nut".into()))
        );
        assert_eq!(
            c("XF (light wear)"),
            (Condition::Excellent, Some("light wear".into()))
        );
        assert_eq!(
            c("отличное — следы чистки"),
            (Condition::Excellent, Some("следы чистки".into()))
        );
        assert_eq!(c("Good;"), (Condition::Good, None));
    }

    #[test]
    fn unknown_conditions_name_the_value_and_the_accepted_ones() {
        let e = condition("Superb").unwrap_err().to_string();
        assert!(
            e.contains("“Superb”") && e.contains("very fine (VF)"),
            "{e}"
        );
        assert!(condition("traces of cleaning; Mint").is_err());
        assert!(condition("").is_err());
    }

    #[test]
    fn rarities() {
        assert_eq!(rarity("Very rare").unwrap(), Rarity::VeryRare);
        assert_eq!(rarity("extremely_rare").unwrap(), Rarity::ExtremelyRare);
        assert_eq!(rarity("RRR").unwrap(), Rarity::ExtremelyRare);
        assert_eq!(rarity("Scarce").unwrap(), Rarity::Scarce);
        assert_eq!(rarity("Распространённый").unwrap(), Rarity::Common);
        assert_eq!(rarity("очень редкий").unwrap(), Rarity::VeryRare);
        let e = rarity("unobtainium").unwrap_err().to_string();
        assert!(e.contains("unobtainium") && e.contains("scarce"), "{e}");
    }

    #[test]
    fn materials_in_both_languages_with_platings() {
        let m = |items: &[&str]| {
            materials(items.iter().copied()).unwrap_or_else(|e| panic!("{items:?}: {e}"))
        };
        use Material::*;
        assert_eq!(m(&["silver", "enamel"]), (vec![Silver, Enamel], None));
        assert_eq!(
            m(&["gold-plated silver", "enamel"]),
            (vec![Silver, Enamel], Some(Gold))
        );
        assert_eq!(m(&["серебро с позолотой"]), (vec![Silver], Some(Gold)));
        assert_eq!(m(&["позолоченное серебро"]), (vec![Silver], Some(Gold)));
        assert_eq!(m(&["silver gilt"]), (vec![Silver], Some(Gold)));
        assert_eq!(m(&["латунь", "эмаль"]), (vec![Brass, Enamel], None));
        assert_eq!(
            m(&["томпак", "горячая эмаль"]),
            (vec![Tombac, Enamel], None)
        );
        assert_eq!(m(&["cold enamel"]), (vec![Enamel], None));
        assert_eq!(m(&["silver and gold"]), (vec![Silver, Gold], None));
        assert_eq!(m(&["серебро 875 пробы"]), (vec![Silver], None));
        assert_eq!(m(&["Aluminum"]), (vec![Aluminium], None));
        assert_eq!(m(&["silver-plated brass"]), (vec![Brass], Some(Silver)));
        assert_eq!(m(&["позолота"]), (vec![], Some(Gold)));
        let e = materials(["German silver"]).unwrap_err().to_string();
        assert!(e.contains("German silver") && e.contains("tombac"), "{e}");
        assert!(materials(["мельхиор"]).is_err());
        assert!(
            materials(["gilt silver", "silver-plated"]).is_err(),
            "two platings"
        );
        assert_eq!(material("серебро").unwrap(), Silver);
        assert!(material("silver, gold").is_err());
    }

    #[test]
    fn platings() {
        assert_eq!(plating("gold").unwrap(), Material::Gold);
        assert_eq!(plating("Gilt").unwrap(), Material::Gold);
        assert_eq!(plating("gold-plated").unwrap(), Material::Gold);
        assert_eq!(plating("позолота").unwrap(), Material::Gold);
        assert_eq!(plating("серебрение").unwrap(), Material::Silver);
        assert_eq!(plating("copper").unwrap(), Material::Copper);
        assert!(plating("chrome").is_err());
    }

    #[test]
    fn fittings() {
        assert_eq!(fitting("screw-back").unwrap(), Fitting::ScrewBack);
        assert_eq!(fitting("screw_back").unwrap(), Fitting::ScrewBack);
        assert_eq!(
            fitting("Screw back, large nut").unwrap(),
            Fitting::ScrewBack
        );
        assert_eq!(fitting("pin").unwrap(), Fitting::Pin);
        assert_eq!(fitting("pin-back").unwrap(), Fitting::Pin);
        assert_eq!(fitting("clutch back").unwrap(), Fitting::Pin);
        assert_eq!(fitting("safety pin").unwrap(), Fitting::Pin);
        assert_eq!(fitting("винт").unwrap(), Fitting::ScrewBack);
        assert_eq!(fitting("на винте").unwrap(), Fitting::ScrewBack);
        assert_eq!(fitting("булавка").unwrap(), Fitting::Pin);
        assert_eq!(fitting("брошь").unwrap(), Fitting::Brooch);
        assert_eq!(fitting("колодка").unwrap(), Fitting::Suspension);
        assert!(fitting("magnet").is_err());
        assert!(fitting("pin or screw").is_err());
        assert_eq!(fitting_in("V1 pin-back, cold enamel"), [Fitting::Pin]);
        assert_eq!(fitting_in("V2 clutch back, no number"), [Fitting::Pin]);
        assert_eq!(fitting_in("V1 screw-back, small nut"), [Fitting::ScrewBack]);
        assert!(fitting_in("V3 flat reverse").is_empty());
    }

    #[test]
    fn hallmark_kinds_and_absence() {
        assert_eq!(
            hallmark_kind("silver_proof").unwrap(),
            (MarkKind::SilverProof, true)
        );
        assert_eq!(
            hallmark_kind("Silver proof mark").unwrap(),
            (MarkKind::SilverProof, true)
        );
        assert_eq!(
            hallmark_kind("no silversmith").unwrap(),
            (MarkKind::Silversmith, false)
        );
        assert_eq!(
            hallmark_kind("проба").unwrap(),
            (MarkKind::SilverProof, true)
        );
        assert_eq!(
            hallmark_kind("нет пробы").unwrap(),
            (MarkKind::SilverProof, false)
        );
        assert_eq!(
            hallmark_kind("клеймо мастера").unwrap(),
            (MarkKind::Silversmith, true)
        );
        assert_eq!(hallmark_kind("mint mark").unwrap(), (MarkKind::Mint, true));
        assert!(hallmark_kind("925").is_err());
    }

    #[test]
    fn photo_roles_and_places() {
        assert_eq!(photo_role("Obverse").unwrap(), PhotoRole::Obverse);
        assert_eq!(photo_role("реверс").unwrap(), PhotoRole::Reverse);
        assert_eq!(photo_role("Документ").unwrap(), PhotoRole::Document);
        assert!(photo_role("selfie").is_err());
        let p = |s: &str| placement(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert_eq!(
            p("reverse"),
            Placement {
                side: Side::Reverse,
                area: None
            }
        );
        assert_eq!(
            p("reverse bottom-left"),
            Placement {
                side: Side::Reverse,
                area: Some(Area::BottomLeft)
            }
        );
        assert_eq!(p("bottom left of the reverse"), p("reverse bottom-left"));
        assert_eq!(p("оборот, внизу слева"), p("reverse bottom-left"));
        assert_eq!(
            p("на гурте"),
            Placement {
                side: Side::Edge,
                area: None
            }
        );
        assert_eq!(p("obverse centre").area, Some(Area::Centre));
        assert_eq!(p("аверс, в центре").area, Some(Area::Centre));
        for bad in [
            "",
            "bottom left",
            "reverse sideways",
            "obverse reverse",
            "top bottom obverse",
        ] {
            assert!(placement(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scripts_and_yes_no() {
        assert_eq!(script("Mongolian").unwrap(), Script::Mongolian);
        assert_eq!(script("кириллица").unwrap(), Script::Cyrillic);
        assert!(script("runic").is_err());
        for yes in ["yes", "Y", "true", "1", "да", "+", "TRUE", "x"] {
            assert!(yes_no(yes).unwrap(), "{yes}");
        }
        for no in ["no", "N", "false", "0", "нет", "-", "Нет"] {
            assert!(!yes_no(no).unwrap(), "{no}");
        }
        let e = yes_no("maybe").unwrap_err().to_string();
        assert!(e.contains("maybe") && e.contains("да/нет"), "{e}");
    }
}
