//! The search box: any text, with quotes, prefixes (as you type), any script, against a small
//! index. Never a panic: an empty result or a query error at worst.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vitrina_search::{Query, SearchIndex};

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = SearchIndex::in_memory().expect("an index in memory");
        let text = include_str!("../../demo/collection.toml");
        let snapshot: vitrina_catalogue::Snapshot = toml::from_str(text).expect("the demo");
        index.rebuild(snapshot.types).expect("indexed");
        index
    })
}

fuzz_target!(|text: &str| {
    let _ = index().search(&Query::text(text));
    let mut typing = Query::text(text);
    typing.as_you_type = true;
    let _ = index().search(&typing);
});
