//! Building one specimen from the cells of its row.

use vitrina_catalogue::{BadgeType, Specimen, SpecimenPrivate, Text};

use super::Reader;
use super::build::SPECIMEN;
use super::locate::Trace;
use crate::values::{self, quoted};
use crate::{Field, ProblemKind, syntax};

impl Reader<'_> {
    pub(super) fn build_specimen(
        &mut self,
        r: usize,
        record: &str,
        t: &BadgeType,
    ) -> (Specimen, Trace) {
        let line = self.line(r);
        let mut tr = Trace::new(line);
        let defs = self.defined(&[r], SPECIMEN, &[], record);
        let mut s = Specimen {
            id: None,
            inventory_number: String::new(),
            engravings: Vec::new(),
            hallmarks: Vec::new(),
            measurements: Vec::new(),
            condition: None,
            rarity: None,
            notes: Text::default(),
            photos: Vec::new(),
            private: None,
        };
        if let Some(d) = self.one(&defs, Field::InventoryNumber, record) {
            tr.cell(d.field, line, d.col);
            s.inventory_number = d.text.to_owned();
            match self.inventory.get(d.text) {
                Some(&other) => {
                    let message = format!(
                        "the inventory number {} is also on line {other}",
                        quoted(d.text)
                    );
                    self.problem(
                        Some(r),
                        record,
                        Some(d.col),
                        Some(d.field),
                        ProblemKind::Duplicate,
                        message,
                    );
                }
                None => {
                    self.inventory.insert(d.text.to_owned(), line);
                }
            }
        }
        s.notes = self.bilingual(&defs, Field::Notes, record, &mut tr);
        if let Some(d) = self.one(&defs, Field::Condition, record)
            && let Some((condition, remark)) = self.parse(&d, record, &mut tr, values::condition)
        {
            s.condition = Some(condition);
            if let Some(remark) = remark {
                if s.notes.en.is_empty() {
                    s.notes.en = remark;
                } else {
                    s.notes.en = format!("{}\n\n{remark}", s.notes.en);
                }
            }
        }
        if let Some(d) = self.one(&defs, Field::Rarity, record) {
            s.rarity = self.parse(&d, record, &mut tr, values::rarity);
        }
        let mut order = Vec::new();
        for d in &defs {
            let line = self.line(d.row);
            match d.field {
                Field::Engravings => {
                    for raw in syntax::items(d.text, false) {
                        let index = s.engravings.len();
                        if let Some(e) = self.item(d, record, super::items::engraving(raw)) {
                            tr.item("engravings", index, d.field, line, d.col);
                            s.engravings.push(e);
                        }
                    }
                }
                Field::Hallmarks => {
                    for raw in syntax::items(d.text, false) {
                        let index = s.hallmarks.len();
                        if let Some(h) = self.item(d, record, super::items::hallmark(raw)) {
                            tr.item("hallmarks", index, d.field, line, d.col);
                            s.hallmarks.push(h);
                        }
                    }
                }
                Field::Measurements => {
                    for raw in syntax::items(d.text, false) {
                        let index = s.measurements.len();
                        let m = values::measurement(&syntax::unescaped(raw));
                        if let Some(m) = self.item(d, record, m) {
                            tr.item("measurements", index, d.field, line, d.col);
                            s.measurements.push(m);
                        }
                    }
                }
                Field::Dimensions => {
                    if let Some(ms) = self.item(
                        d,
                        record,
                        values::dimensions(d.text, vitrina_catalogue::Unit::Mm),
                    ) {
                        for m in ms {
                            tr.item("measurements", s.measurements.len(), d.field, line, d.col);
                            s.measurements.push(m);
                        }
                    }
                }
                Field::Diameter
                | Field::Height
                | Field::Width
                | Field::Thickness
                | Field::Weight => {
                    if let Some(m) =
                        self.item(d, record, super::items::single_measurement(d.field, d.text))
                    {
                        tr.item("measurements", s.measurements.len(), d.field, line, d.col);
                        s.measurements.push(m);
                    }
                }
                Field::Photos
                | Field::PhotoObverse
                | Field::PhotoReverse
                | Field::PhotoMarks
                | Field::PhotoDetail
                | Field::PhotoDocument => {
                    let role = super::items::role_of(d.field);
                    for raw in syntax::items(d.text, false) {
                        let index = s.photos.len();
                        let photo = super::items::photo(raw, role, &mut order, &t.names);
                        if let Some(p) = self.item(d, record, photo) {
                            tr.item("photos", index, d.field, line, d.col);
                            s.photos.push(p);
                        }
                    }
                }
                _ => {}
            }
        }
        if Self::any(
            &defs,
            &[
                Field::Provenance,
                Field::Acquired,
                Field::Price,
                Field::Currency,
                Field::StorageLocation,
                Field::PrivateNotes,
            ],
        ) {
            let mut p = SpecimenPrivate {
                provenance: self.text(&defs, Field::Provenance, record, &mut tr),
                storage_location: self.text(&defs, Field::StorageLocation, record, &mut tr),
                notes: self.text(&defs, Field::PrivateNotes, record, &mut tr),
                ..SpecimenPrivate::default()
            };
            if let Some(d) = self.one(&defs, Field::Acquired, record) {
                p.acquired = self.parse(&d, record, &mut tr, values::date);
            }
            let currency = self.one(&defs, Field::Currency, record);
            if let Some(c) = currency {
                tr.cell(Field::Currency, line, c.col);
            }
            if let Some(d) = self.one(&defs, Field::Price, record) {
                let default = currency
                    .map(|c| c.text.to_owned())
                    .or_else(|| self.options.currency.clone());
                p.price = self.parse(&d, record, &mut tr, |s| {
                    values::price(s, default.as_deref())
                });
            }
            s.private = (!p.is_empty()).then_some(p);
        }
        (s, tr)
    }
}
