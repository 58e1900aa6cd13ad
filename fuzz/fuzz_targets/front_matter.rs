//! Fuzz target `front_matter`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = backlint::harness::front_matter_split(data).map_err(|e| panic!("{e}"));
});
