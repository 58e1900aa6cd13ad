//! Fuzz target `fix_round_trip`: see `backlint::harness` for the property it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = backlint::harness::fix_round_trip(data).map(|_| ()) {
        panic!("{e}")
    }
});
