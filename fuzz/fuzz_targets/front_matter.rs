//! Fuzz target `front_matter`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = backlint::harness::front_matter_split(data) {
        panic!("{e}")
    }
});
