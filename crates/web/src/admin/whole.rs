//! The type's page is one form: the type's own fields, every variant (`v0.`), every piece
//! (`v0.s1.`), every photo's details (`p2.`, `v0.s1.p0.`), a new variant (`vnew.`) with a
//! first piece (`vnew.snew.`) and a new piece for each variant (`v0.snew.`). One Save applies
//! them all to the type and saves it once, so editing two sections and pressing Save keeps
//! both edits.
//!
//! Each section is read by the same form code as the child forms ([`super::forms`],
//! [`super::rows`]). A new section left empty adds nothing. "Remove when saving" boxes remove
//! a variant, a piece or a photo; the move and duplicate buttons (`op=v0.up`) save everything
//! and then move.

use vitrina_catalogue::{BadgeType, Photo};

use super::children::{Action, rearrange};
use super::forms::{self, Fields, Form, PHOTO_FIELDS, SPECIMEN_FIELDS, Slot, VARIANT_FIELDS};
use super::rows;
use super::types::{Target, prefix_of};

/// The fields whose names start with `prefix`, without it; `None` when the page sent none.
fn section(fields: &Fields, prefix: &str) -> Option<Fields> {
    let sub: Vec<(String, String)> = fields
        .0
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_owned(), v.clone())))
        .collect();
    (!sub.is_empty()).then_some(Fields(sub))
}

/// Whether a new section's own fields (not those of sections inside it) are all empty.
fn blank(sub: &Fields) -> bool {
    sub.0
        .iter()
        .filter(|(k, _)| !k.contains('.'))
        .all(|(_, v)| v.trim().is_empty())
}

fn removed(sub: &Fields) -> bool {
    sub.get("remove") == "on"
}

fn read(sub: &Fields, names: &[&str], lists: &[rows::List]) -> Form {
    let mut form = Form::from_fields(sub, names);
    rows::read(sub, &mut form, lists);
    form
}

/// Applies every section the page sent to `t` (the stored type, already changed by the main
/// form). Returns each section's form as read, with any messages, to show again when the save
/// is refused.
pub(super) fn apply(fields: &Fields, t: &mut BadgeType) -> Vec<(Target, Form)> {
    let mut shown = Vec::new();
    let mut remove_variants = Vec::new();
    for vi in 0..t.variants.len() {
        let target = Target::Existing(Slot::Variant(vi));
        if let Some(sub) = section(fields, &prefix_of(target)) {
            let mut form = read(&sub, VARIANT_FIELDS, rows::VARIANT_LISTS);
            forms::apply_variant(&mut form, &mut t.variants[vi]);
            if removed(&sub) {
                remove_variants.push(vi);
            }
            shown.push((target, form));
        }
        let mut remove_specimens = Vec::new();
        for si in 0..t.variants[vi].specimens.len() {
            let target = Target::Existing(Slot::Specimen(vi, si));
            if let Some(sub) = section(fields, &prefix_of(target)) {
                let mut form = read(&sub, SPECIMEN_FIELDS, rows::SPECIMEN_LISTS);
                forms::apply_specimen(&mut form, &mut t.variants[vi].specimens[si]);
                if removed(&sub) {
                    remove_specimens.push(si);
                }
                shown.push((target, form));
            }
            let photos = &mut t.variants[vi].specimens[si].photos;
            apply_photos(
                fields,
                photos,
                |pi| Slot::SpecimenPhoto(vi, si, pi),
                &mut shown,
            );
        }
        let target = Target::NewSpecimen(vi);
        if let Some(sub) = section(fields, &prefix_of(target))
            && !blank(&sub)
        {
            let mut form = read(&sub, SPECIMEN_FIELDS, rows::SPECIMEN_LISTS);
            let mut s = forms::new_specimen();
            forms::apply_specimen(&mut form, &mut s);
            t.variants[vi].specimens.push(s);
            shown.push((target, form));
        }
        for si in remove_specimens.into_iter().rev() {
            t.variants[vi].specimens.remove(si);
        }
    }
    apply_photos(fields, &mut t.photos, Slot::TypePhoto, &mut shown);

    // A new variant, and perhaps its first piece (which brings the variant with it).
    let piece = section(fields, &prefix_of(Target::NewVariantSpecimen)).filter(|s| !blank(s));
    if let Some(sub) = section(fields, &prefix_of(Target::NewVariant))
        && (!blank(&sub) || piece.is_some())
    {
        let mut form = read(&sub, VARIANT_FIELDS, rows::VARIANT_LISTS);
        let mut v = forms::new_variant();
        forms::apply_variant(&mut form, &mut v);
        if let Some(sub) = piece {
            let mut piece_form = read(&sub, SPECIMEN_FIELDS, rows::SPECIMEN_LISTS);
            let mut s = forms::new_specimen();
            forms::apply_specimen(&mut piece_form, &mut s);
            v.specimens.push(s);
            shown.push((Target::NewVariantSpecimen, piece_form));
        }
        t.variants.push(v);
        shown.push((Target::NewVariant, form));
    }
    for vi in remove_variants.into_iter().rev() {
        t.variants.remove(vi);
    }
    shown
}

fn apply_photos(
    fields: &Fields,
    photos: &mut Vec<Photo>,
    slot: impl Fn(usize) -> Slot,
    shown: &mut Vec<(Target, Form)>,
) {
    let mut remove = Vec::new();
    let mut order = Vec::with_capacity(photos.len());
    for (pi, p) in photos.iter_mut().enumerate() {
        let target = Target::Existing(slot(pi));
        if let Some(sub) = section(fields, &prefix_of(target)) {
            let mut form = read(&sub, PHOTO_FIELDS, &[]);
            forms::apply_photo(&mut form, p);
            if removed(&sub) {
                remove.push(pi);
            }
            order.push(sub.get("order").trim().parse::<usize>().ok());
            shown.push((target, form));
        } else {
            order.push(None);
        }
    }
    let keep: Vec<bool> = (0..photos.len()).map(|pi| !remove.contains(&pi)).collect();
    let mut numbered: Vec<(Photo, bool)> = photos.drain(..).zip(keep).collect();
    if let Some(permutation) = permutation(&order) {
        let mut slots: Vec<Option<(Photo, bool)>> = numbered.into_iter().map(Some).collect();
        numbered = permutation
            .into_iter()
            .filter_map(|from| slots[from].take())
            .collect();
    }
    photos.extend(
        numbered
            .into_iter()
            .filter(|(_, keep)| *keep)
            .map(|(p, _)| p),
    );
}

/// The order the page put a list's photos in (`p0.order`, set by dragging them; see
/// `assets/workspace.js`): the old index of each photo in its new order. `None` unless every
/// photo was given a place and no two the same, so that a page without the script, or a
/// tampered one, leaves the order as it was.
fn permutation(order: &[Option<usize>]) -> Option<Vec<usize>> {
    let places: Vec<usize> = order.iter().copied().collect::<Option<_>>()?;
    let mut by_place: Vec<(usize, usize)> = places.iter().copied().zip(0..).collect();
    by_place.sort_unstable();
    let distinct = by_place.windows(2).all(|w| w[0].0 != w[1].0);
    (distinct && by_place.iter().all(|(place, _)| *place < places.len()))
        .then(|| by_place.into_iter().map(|(_, old)| old).collect())
}

/// A move or duplicate button of a section (`v0.up`, `v0.s1.duplicate`, `p2.down`), applied
/// after the sections; `false` when it names nothing on the type.
pub(super) fn apply_op(op: &str, t: &mut BadgeType) -> bool {
    let Some((at, action)) = op.rsplit_once('.') else {
        return false;
    };
    let action = match action {
        "up" => Action::Up,
        "down" => Action::Down,
        "duplicate" => Action::Duplicate,
        _ => return false,
    };
    let index = |s: &str, tag: char| s.strip_prefix(tag).and_then(|n| n.parse::<usize>().ok());
    let parts: Vec<&str> = at.split('.').collect();
    match parts.as_slice() {
        [v] => match index(v, 'v') {
            Some(vi) => rearrange(&mut t.variants, vi, action, |v| {
                let mut c = v.clone();
                c.id = None;
                c.specimens.clear();
                c
            }),
            None => match index(v, 'p') {
                Some(pi) if action != Action::Duplicate => {
                    rearrange(&mut t.photos, pi, action, Clone::clone)
                }
                _ => false,
            },
        },
        [v, s] => match (index(v, 'v'), index(s, 's')) {
            (Some(vi), Some(si)) => match t.variants.get_mut(vi) {
                Some(variant) => rearrange(&mut variant.specimens, si, action, |s| {
                    let mut c = s.clone();
                    c.id = None;
                    c.photos.clear();
                    c
                }),
                None => false,
            },
            _ => false,
        },
        [v, s, p] if action != Action::Duplicate => {
            match (index(v, 'v'), index(s, 's'), index(p, 'p')) {
                (Some(vi), Some(si), Some(pi)) => t
                    .variants
                    .get_mut(vi)
                    .and_then(|v| v.specimens.get_mut(si))
                    .is_some_and(|s| rearrange(&mut s.photos, pi, action, Clone::clone)),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Where a domain message about the saved type belongs on the page: a child added by this
/// save is shown in the form that added it.
pub(super) fn target_of(slot: Slot, stored: &BadgeType) -> Target {
    let variants = stored.variants.len();
    match slot {
        Slot::Variant(v) if v >= variants => Target::NewVariant,
        Slot::Specimen(v, _) if v >= variants => Target::NewVariantSpecimen,
        Slot::Specimen(v, s) if s >= stored.variants[v].specimens.len() => Target::NewSpecimen(v),
        other => Target::Existing(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_section_is_its_prefixed_fields_and_a_blank_new_one_adds_nothing() {
        let f = fields(&[("v0.name_en", "Silver"), ("v0.s1.inventory_number", "7")]);
        let v0 = section(&f, "v0.").unwrap();
        assert_eq!(v0.get("name_en"), "Silver");
        assert_eq!(v0.get("s1.inventory_number"), "7");
        assert!(section(&f, "v1.").is_none());
        assert!(blank(&fields(&[("a", " "), ("s0.x", "filled")])));
        assert!(!blank(&fields(&[("a", "x")])));
    }

    #[test]
    fn photos_dragged_into_a_new_order_are_saved_in_it() {
        assert_eq!(
            permutation(&[Some(2), Some(0), Some(1)]),
            Some(vec![1, 2, 0])
        );
        assert_eq!(permutation(&[Some(0), Some(1)]), Some(vec![0, 1]));
        // missing, repeated or out-of-range places leave the order alone
        assert_eq!(permutation(&[Some(0), None]), None);
        assert_eq!(permutation(&[Some(1), Some(1)]), None);
        assert_eq!(permutation(&[Some(0), Some(5)]), None);
        assert_eq!(permutation(&[]), Some(vec![]));
    }
}
