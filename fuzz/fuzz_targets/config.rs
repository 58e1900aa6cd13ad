//! Fuzz target `config`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backlint::harness::config(data);
});
