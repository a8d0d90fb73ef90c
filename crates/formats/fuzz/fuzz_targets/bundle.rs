//! ZIP bundles on any bytes: no panic, and every listed name is a safe relative path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vitrina_formats::{Bundle, ZipLimits};

fuzz_target!(|data: &[u8]| {
    let Ok(mut bundle) = Bundle::open(data, ZipLimits::default()) else {
        return;
    };
    let names: Vec<String> = bundle.entries().map(|e| e.name.clone()).collect();
    for name in names {
        assert!(!name.starts_with('/') && !name.contains('\\') && !name.contains(':'));
        assert!(
            name.split('/')
                .all(|c| c != ".." && c != "." && !c.is_empty()),
            "{name:?}"
        );
        let _ = bundle.read(&name);
    }
});
