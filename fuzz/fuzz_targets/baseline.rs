//! Fuzz target `baseline`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = backlint::harness::baseline(data) {
        panic!("{e}")
    }
});
