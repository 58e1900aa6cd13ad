//! Fuzz target `yaml_differential`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = backlint::harness::yaml_differential(data) {
        panic!("{e}")
    }
});
