//! Private fields are never indexed where the public can query them.

mod common;

use common::{badge, index_of, search};

const WITH_PRIVATE: &str = r#"
slug = "order-of-lenin"
names = { en = "Order of Lenin", ru = "Орден Ленина" }
description = { en = "The highest award of the Soviet Union." }

[[variants]]
name = { en = "Gold and platinum" }
materials = ["gold", "platinum"]

[[variants.specimens]]
inventory_number = "VT-0042"
notes = { en = "A public note about the screw back." }

[variants.specimens.private]
provenance = "Bought from Zyablikov at Izmailovo market"
price = { amount = "1250.00", currency = "EUR" }
storage_location = "Safe Kvadrat-7B"
notes = "Secretnote: insured separately"
acquired = "2019-05"
"#;

#[test]
fn private_values_are_not_searchable() {
    let index = index_of(vec![badge(WITH_PRIVATE)]);
    // The public fields are there...
    assert_eq!(search(&index, "Lenin").total, 1);
    assert_eq!(search(&index, "screw").total, 1);
    assert_eq!(search(&index, "VT-0042").total, 1);
    // ...the private ones are not, in any script or spelling, exactly, by prefix or fuzzily.
    for q in [
        "Zyablikov",
        "Зябликов",
        "Izmailovo",
        "Измайлово",
        "1250",
        "EUR",
        "Kvadrat",
        "Safe",
        "Secretnote",
        "insured",
        "Secretnot",
        "Zyablikof",
        "2019",
    ] {
        assert_eq!(search(&index, q).total, 0, "{q:?} found a private value");
    }
}

#[test]
fn no_stored_field_holds_private_values() {
    let index = index_of(vec![badge(WITH_PRIVATE)]);
    let needles = [
        "Zyablikov",
        "Izmailovo",
        "1250",
        "Kvadrat",
        "Secretnote",
        "insured",
    ];
    let raw = index.raw_index();
    let searcher = raw.reader().unwrap().searcher();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(0).unwrap();
        for doc in store.iter::<tantivy::TantivyDocument>(segment.alive_bitset()) {
            let doc = doc.unwrap();
            let json = tantivy::Document::to_json(&doc, &raw.schema());
            for n in needles {
                assert!(!json.contains(n), "stored field holds {n}: {json}");
            }
        }
    }
    // And no term of any field is a private word.
    for segment in searcher.segment_readers() {
        for (field, entry) in raw.schema().fields() {
            if !entry.is_indexed() {
                continue;
            }
            let inverted = segment.inverted_index(field).unwrap();
            let mut terms = inverted.terms().stream().unwrap();
            while terms.advance() {
                let term = String::from_utf8_lossy(terms.key()).to_lowercase();
                for n in [
                    "zyablikov",
                    "izmailovo",
                    "kvadrat",
                    "secretnote",
                    "insured",
                    "1250",
                ] {
                    assert!(
                        !term.contains(n),
                        "field {} holds the term {term}",
                        entry.name()
                    );
                }
            }
        }
    }
}
