//! The type page's photo viewer, on the server's side: which photo is the other side of which
//! (so the viewer can flip a badge over), how each photo is named in the viewer, and the
//! viewer's interface strings in the page's language.
//!
//! The viewer itself is `assets/viewer.js`, an enhancement: without it every image on the page
//! is a link to its large size. The script reads all it needs from the page's `data-*`
//! attributes, so its strings are translated here with the page and no text is built in
//! JavaScript.

use std::collections::BTreeMap;

use vitrina_catalogue::{Lang, PhotoRole};

/// Whose photo it is: the type's own (the design in general) or a piece's in the collection,
/// numbered as the page numbers the pieces (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Type,
    Piece(usize),
}

/// The other side of each photo, by index into `photos` (in the order the page shows them):
/// an obverse's reverse and a reverse's obverse; other roles have none.
///
/// The partner is the same owner's first photo of the other side. A piece photographed on one
/// side only falls back to the type's own photo of the other side (the design is the same). A
/// type's photo falls back to a piece's only when exactly one piece photo of the other side
/// exists, so a flip never picks one piece out of several at random.
pub(crate) fn partners(photos: &[(PhotoRole, Owner)]) -> Vec<Option<usize>> {
    photos
        .iter()
        .map(|&(role, owner)| {
            let other = match role {
                PhotoRole::Obverse => PhotoRole::Reverse,
                PhotoRole::Reverse => PhotoRole::Obverse,
                _ => return None,
            };
            let sides: Vec<(usize, Owner)> = photos
                .iter()
                .enumerate()
                .filter(|(_, (r, _))| *r == other)
                .map(|(i, (_, o))| (i, *o))
                .collect();
            let of = |who: Owner| sides.iter().find(|(_, o)| *o == who).map(|(i, _)| *i);
            of(owner).or_else(|| match owner {
                Owner::Piece(_) => of(Owner::Type),
                Owner::Type => match sides.as_slice() {
                    [(i, Owner::Piece(_))] => Some(*i),
                    _ => None,
                },
            })
        })
        .collect()
}

/// A photo's name in the viewer: its role, and the piece it shows, by the piece's name on the
/// page, when it is not the type's own ("Reverse · Silver, No. 9").
pub(crate) fn label(lang: Lang, role: PhotoRole, piece: Option<&str>) -> String {
    let role = crate::i18n::photo_role(lang, role);
    match piece {
        None => role.to_owned(),
        Some(name) => format!("{role} · {name}"),
    }
}

/// (key, English, Russian). The keys become `data-label-<key>` attributes on the gallery.
const STRINGS: &[(&str, &str, &str)] = &[
    ("dialog", "Image viewer", "Просмотр изображений"),
    ("close", "Close", "Закрыть"),
    (
        "close-hint",
        "Close the viewer (Esc)",
        "Закрыть просмотр (Esc)",
    ),
    ("zoom-in", "Zoom in (+)", "Увеличить (+)"),
    ("zoom-out", "Zoom out (−)", "Уменьшить (−)"),
    ("fit", "Fit", "Вписать"),
    ("fit-hint", "Fit to the screen (0)", "Вписать в экран (0)"),
    ("zoom", "Zoom", "Масштаб"),
    ("flip", "Flip", "Перевернуть"),
    (
        "flip-hint",
        "Flip: show the other side (F)",
        "Перевернуть: показать другую сторону (F)",
    ),
    ("compare", "Compare", "Сравнить"),
    (
        "compare-hint",
        "Compare two images side by side (C)",
        "Сравнить два изображения рядом (C)",
    ),
    ("previous", "Previous image", "Предыдущее изображение"),
    ("next", "Next image", "Следующее изображение"),
    ("first", "First image", "Первое изображение"),
    ("second", "Second image", "Второе изображение"),
    ("of", "{n} of {total}", "{n} из {total}"),
    (
        "image",
        "Image: drag or use the arrow keys to move it, the wheel or + and − to zoom",
        "Изображение: перетаскивайте его или двигайте стрелками, увеличивайте колесом или клавишами + и −",
    ),
    (
        "keys",
        "+ − 0 zoom · arrows move · F flip · C compare · Esc close",
        "+ − 0 масштаб · стрелки — сдвиг · F перевернуть · C сравнить · Esc закрыть",
    ),
];

/// The viewer's strings in a language, as `label-<key>` → text for `data-*` attributes.
pub(crate) fn labels(lang: Lang) -> BTreeMap<String, &'static str> {
    STRINGS
        .iter()
        .map(|(key, en, ru)| {
            (
                format!("label-{key}"),
                if lang == Lang::Ru { *ru } else { *en },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Owner::{Piece, Type};
    use PhotoRole::{Detail, Marks, Obverse, Reverse};

    #[test]
    fn an_owner_s_own_sides_pair_up() {
        let photos = [
            (Obverse, Type),
            (Obverse, Piece(1)),
            (Reverse, Type),
            (Reverse, Piece(1)),
            (Marks, Piece(1)),
        ];
        assert_eq!(
            partners(&photos),
            [Some(2), Some(3), Some(0), Some(1), None]
        );
    }

    #[test]
    fn the_demo_mopr_badge_pairs_the_type_s_obverse_with_its_one_piece_s_reverse() {
        assert_eq!(
            partners(&[(Obverse, Type), (Reverse, Piece(1))]),
            [Some(1), Some(0)]
        );
    }

    #[test]
    fn a_piece_falls_back_to_the_type_but_the_type_never_picks_one_piece_of_several() {
        let photos = [
            (Obverse, Type),
            (Reverse, Piece(1)),
            (Reverse, Piece(2)),
            (Obverse, Piece(3)),
        ];
        // Piece 3 has no reverse of its own, and the type none either.
        assert_eq!(partners(&photos), [None, Some(0), Some(0), None]);
    }

    #[test]
    fn a_single_side_or_other_roles_have_no_partner() {
        assert_eq!(partners(&[(Obverse, Type)]), [None]);
        assert_eq!(
            partners(&[(Detail, Type), (Marks, Type), (Obverse, Piece(1))]),
            [None, None, None]
        );
        assert_eq!(partners(&[]), Vec::<Option<usize>>::new());
    }

    #[test]
    fn the_first_of_several_same_owner_sides_is_the_partner() {
        assert_eq!(
            partners(&[(Obverse, Type), (Reverse, Type), (Reverse, Type)]),
            [Some(1), Some(0), Some(0)]
        );
    }

    #[test]
    fn labels_name_the_piece_in_the_page_language() {
        assert_eq!(label(Lang::En, Obverse, None), "Obverse");
        assert_eq!(label(Lang::En, Reverse, Some("Silver")), "Reverse · Silver");
        assert_eq!(
            label(Lang::Ru, Reverse, Some("Серебро")),
            "Оборотная сторона · Серебро"
        );
    }

    #[test]
    fn every_string_is_translated_and_keys_are_attribute_names() {
        for (key, en, ru) in STRINGS {
            assert!(!en.is_empty() && !ru.is_empty(), "{key}");
            assert!(
                key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{key}"
            );
        }
        assert_eq!(labels(Lang::Ru)["label-close"], "Закрыть");
        assert_eq!(labels(Lang::En).len(), STRINGS.len());
        // A button's accessible name starts with its visible label (WCAG 2.5.3), so a person
        // who says "Compare" to a voice control finds it.
        for lang in [Lang::En, Lang::Ru] {
            let l = labels(lang);
            for b in ["close", "fit", "flip", "compare"] {
                let (shown, hint) = (l[&format!("label-{b}")], l[&format!("label-{b}-hint")]);
                assert!(hint.starts_with(shown), "{hint} / {shown}");
            }
        }
        // The counter's placeholders are filled in by the script.
        for lang in [Lang::En, Lang::Ru] {
            let of = labels(lang)["label-of"];
            assert!(of.contains("{n}") && of.contains("{total}"), "{of}");
        }
    }
}
