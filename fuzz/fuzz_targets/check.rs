//! Fuzz target `check`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = backlint::harness::check_in_memory(data) {
        panic!("{e}")
    }
});
