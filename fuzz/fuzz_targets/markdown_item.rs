//! Fuzz target `markdown_item`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backlint::harness::markdown_item(data);
});
